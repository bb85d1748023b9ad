import { loadConfig } from '@/config/load-config';
import { guardKey } from '@/users/lockout/guard-key';
import type { LegacyHashSettings } from '@/users/legacy-hash-settings';
import type { PasswordHasher } from '@/users/password-hasher';
import type { User } from '@/users/user.entity';
import type { UserRepository } from '@/users/user.repository';
import { LocalCredentialSource } from './local-credential-source';

describe(LocalCredentialSource.name, () => {
  const key = guardKey(loadConfig({ NODE_ENV: 'test' }), undefined, 'alice');
  const hasher = { verifyLogin: jest.fn().mockResolvedValue(false), needsUpgrade: jest.fn().mockReturnValue(false) };
  const legacy = { current: jest.fn().mockResolvedValue(['$2b$10$']), record: jest.fn(), retire: jest.fn() };

  it('judges a shadow user (no hash here, after a switch back to local) as an unknown one: a padded check, 401', async () => {
    const shadow = { id: 'u1', source: 'ldap', passwordHash: '' } as User;
    const users = { findByUsername: jest.fn().mockResolvedValue(shadow) } as unknown as UserRepository;
    const sut = new LocalCredentialSource(
      users,
      hasher as unknown as PasswordHasher,
      legacy as unknown as LegacyHashSettings,
    );
    await expect(sut.verify({ key, username: 'alice', password: 'pw', path: 'oauth' })).resolves.toEqual({
      result: 'invalid',
      user: shadow,
    });
    // In the class of the login's path: a sign-in page's unknown username takes the sign-in pages' share.
    expect(hasher.verifyLogin.mock.calls).toEqual([[null, 'pw', ['$2b$10$'], 'oauth']]);
    expect(legacy.record).not.toHaveBeenCalled();
  });
});
