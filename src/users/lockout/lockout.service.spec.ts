import type { AuditService } from '@/audit/audit.service';
import { loadConfig } from '@/config/app-config';
import { LockoutPolicy } from './lockout.policy';
import type { LockoutRepository } from './lockout.repository';
import { IN_FLIGHT_MS, LockoutService } from './lockout.service';
import type { LoginGuard } from './login-guard.entity';

describe(LockoutService.name, () => {
  const key = { institutionId: 'default', usernameNorm: 'alice' };
  const setup = (guard: Partial<LoginGuard>) => {
    const repo = {
      ensure: jest.fn().mockResolvedValue(undefined),
      takeAttempt: jest.fn().mockResolvedValue(false),
      find: jest
        .fn()
        .mockResolvedValue({ ...key, lockCount: 0, lockedUntil: 0, lockReason: null, lockedAt: null, ...guard }),
      lockIfDue: jest.fn().mockResolvedValue(true),
    };
    const audit = { record: jest.fn().mockResolvedValue(undefined) };
    const sut = new LockoutService(
      repo as unknown as LockoutRepository,
      new LockoutPolicy(loadConfig({ NODE_ENV: 'test' })),
      audit as unknown as AuditService,
    );
    return { sut, repo, audit };
  };

  it('applies the due lock when the count has sat at the threshold longer than anything can be in flight', async () => {
    const { sut, repo, audit } = setup({ failures: 5, updatedAt: Date.now() - IN_FLIGHT_MS - 1_000 });
    expect(await sut.takeAttempt(key)).toBe(false);
    expect(repo.lockIfDue).toHaveBeenCalledWith(key, 5, 0, expect.any(Number), expect.any(Number));
    expect(audit.record).toHaveBeenCalledWith(expect.objectContaining({ type: 'lock', outcome: 'locked_temporarily' }));
  });

  it('leaves a fresh saturation alone: those attempts are still being judged', async () => {
    const { sut, repo } = setup({ failures: 5, updatedAt: Date.now() - 1_000 });
    expect(await sut.takeAttempt(key)).toBe(false);
    expect(repo.lockIfDue).not.toHaveBeenCalled();
  });

  it('does nothing more for a key that is simply locked', async () => {
    const { sut, repo } = setup({ failures: 0, lockedUntil: Date.now() + 60_000, updatedAt: 0 });
    expect(await sut.takeAttempt(key)).toBe(false);
    expect(repo.lockIfDue).not.toHaveBeenCalled();
  });
});
