import { loadConfig } from '@/config/load-config';
import type { LegacyHashSettings } from '@/users/legacy-hash-settings';
import type { PasswordHasher } from '@/users/password-hasher';
import type { User } from '@/users/user.entity';
import { UserRepository, usernameKey } from '@/users/user.repository';
import { UsersService } from '@/users/users.service';
import type { ImportRow } from './import-row';
import { UserImporter } from './user-importer';

describe(UserImporter.name, () => {
  const BCRYPT = '$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234';
  const row = (line: number, username: string, over: Partial<ImportRow> = {}): ImportRow => ({
    line,
    username,
    institutionId: null,
    password: 'secret',
    passwordHash: null,
    phone: null,
    email: null,
    ...over,
  });
  const setup = (existing: string[]) => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const repo = {
      keysHolding: jest.fn().mockResolvedValue(new Set(existing.map((n) => usernameKey('default', n)))),
      insertMissing: jest
        .fn()
        .mockImplementation((users: User[]) =>
          Promise.resolve(new Set(users.map((u) => usernameKey(u.institutionId, u.usernameNorm)))),
        ),
    };
    const hasher = { hash: jest.fn().mockImplementation((s: string) => Promise.resolve(`argon2(${s})`)) };
    const legacy = { record: jest.fn().mockResolvedValue(undefined) };
    const users = new UsersService(repo as unknown as UserRepository, hasher as unknown as PasswordHasher, config);
    const sut = new UserImporter(
      repo as unknown as UserRepository,
      users,
      hasher as unknown as PasswordHasher,
      legacy as unknown as LegacyHashSettings,
      config,
    );
    return { sut, repo, hasher, legacy, config };
  };

  it('creates the users that do not exist yet, as UsersService makes a local user, and leaves the others', async () => {
    const { sut, repo, hasher, config } = setup(['bob']);
    const out = await sut.importBatch([row(2, 'Alice', { phone: '+14155550123' }), row(3, 'bob')]);
    expect(out.created.map((r) => r.line)).toEqual([2]);
    expect(out.existing.map((r) => r.line)).toEqual([3]);
    expect(hasher.hash).toHaveBeenCalledTimes(1);
    const [[made]] = repo.insertMissing.mock.calls[0] as [User[]];
    expect(made).toMatchObject({
      institutionId: 'default',
      username: 'Alice',
      usernameNorm: 'alice',
      passwordHash: 'argon2(secret)',
      phone: '+14155550123',
      source: 'local',
      authEpoch: 0,
      termsAcceptedVersion: config.TERMS_VERSION,
    });
  });

  it('counts a row a concurrent import made first as existing, and records only the hashes it stored', async () => {
    const { sut, repo, legacy } = setup([]);
    repo.insertMissing.mockResolvedValue(new Set([usernameKey('default', 'carol')]));
    const out = await sut.importBatch([
      row(2, 'carol', { password: null, passwordHash: BCRYPT }),
      row(3, 'dave', { password: null, passwordHash: BCRYPT.replace('abc', 'xyz') }),
    ]);
    expect(out.created.map((r) => r.line)).toEqual([2]);
    expect(out.existing.map((r) => r.line)).toEqual([3]);
    expect(legacy.record).toHaveBeenCalledWith([BCRYPT]);
  });
});
