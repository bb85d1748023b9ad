import { loadConfig } from '@/config/load-config';
import { sha256 } from '@/common/crypto/digest';
import type { StaffKey } from '@/staff-auth/staff-key.entity';
import type { StaffService } from '@/staff-auth/staff.service';
import type { ConsoleSession } from './console-session.entity';
import type { ConsoleSessionRepository } from './console-session.repository';
import { ConsoleSessionService } from './console-session.service';

describe(ConsoleSessionService.name, () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const staffKey = (role: StaffKey['role']): StaffKey => ({
    id: 'k1',
    name: 'Jo',
    role,
    keyHash: 'x',
    createdAt: 1,
    revokedAt: null,
  });
  const setup = () => {
    const stored: ConsoleSession[] = [];
    const repo = {
      deleteSeenBefore: jest.fn().mockResolvedValue(undefined),
      deleteCreatedBefore: jest.fn().mockResolvedValue(undefined),
      insert: jest.fn().mockImplementation((s: ConsoleSession) => (stored.push(s), Promise.resolve())),
      touchIfAlive: jest.fn().mockResolvedValue(true),
      findByHash: jest
        .fn()
        .mockImplementation((h: string) => Promise.resolve(stored.find((s) => s.idHash === h) ?? null)),
    };
    const staff = { findActive: jest.fn().mockResolvedValue(staffKey('support')) };
    const sut = new ConsoleSessionService(
      repo as unknown as ConsoleSessionRepository,
      staff as unknown as StaffService,
      config,
    );
    return { sut, repo, staff, stored };
  };

  it('keeps only the digest of the cookie value, and resumes the session it opened', async () => {
    const { sut, stored } = setup();
    const token = await sut.open('k1');
    expect(stored[0].idHash).toBe(sha256(token));
    expect(await sut.resume(token)).toEqual({ id: 'k1', name: 'Jo', role: 'support' });
  });

  it('judges idleness and age in the one conditional touch: refused there, no staff member', async () => {
    const { sut, repo, staff } = setup();
    const token = await sut.open('k1');
    repo.touchIfAlive.mockResolvedValue(false);
    expect(await sut.resume(token)).toBeNull();
    const [, now, seenAfter, createdAfter] = repo.touchIfAlive.mock.calls[0] as number[];
    expect(now - seenAfter).toBe(config.CONSOLE_SESSION_TTL);
    expect(now - createdAfter).toBe(config.CONSOLE_SESSION_MAX_AGE);
    expect(staff.findActive).not.toHaveBeenCalled();
  });

  it('ends with its key: a revoked key, or a role the console is not for, resumes nothing', async () => {
    const { sut, staff } = setup();
    const token = await sut.open('k1');
    staff.findActive.mockResolvedValueOnce(null);
    expect(await sut.resume(token)).toBeNull();
    staff.findActive.mockResolvedValueOnce(staffKey('resource-server'));
    expect(await sut.resume(token)).toBeNull();
  });
});
