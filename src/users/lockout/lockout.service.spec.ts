import { loadConfig } from '@/config/load-config';
import type { DomainEvents } from '@/events/domain-events';
import type { UserRepository } from '../user.repository';
import { LockoutPolicy } from './lockout.policy';
import type { LockoutRepository } from './lockout.repository';
import { IN_FLIGHT_MS, LockoutService } from './lockout.service';
import type { LoginGuard } from './login-guard.entity';

describe(LockoutService.name, () => {
  const key = { institutionId: 'default', usernameNorm: 'alice' };
  const setup = (guard: Partial<LoginGuard>, stale: boolean) => {
    const row = { ...key, inFlight: 0, lockCount: 0, lockedUntil: 0, lockReason: null, lockedAt: null, ...guard };
    const repo = {
      takeAttempt: jest.fn().mockResolvedValue(false),
      find: jest.fn().mockResolvedValue(row),
      settleStale: jest.fn().mockImplementation(() => {
        if (stale) row.inFlight = 0;
        return Promise.resolve(stale);
      }),
      lockIfDue: jest.fn().mockResolvedValue(true),
      lockPersonUntil: jest.fn().mockResolvedValue(true),
    };
    const users = {
      findByUsername: jest.fn().mockResolvedValue({ id: 'u1' }),
      moveEpochByKey: jest.fn().mockResolvedValue(undefined),
    };
    const events = { publish: jest.fn().mockResolvedValue(undefined) };
    const sut = new LockoutService(
      repo as unknown as LockoutRepository,
      users as unknown as UserRepository,
      new LockoutPolicy(loadConfig({ NODE_ENV: 'test' })),
      events as unknown as DomainEvents,
    );
    return { sut, repo, users, events };
  };

  it('applies the due lock, to the name and its user, to attempts left in flight longer than anything can take', async () => {
    const { sut, repo, users, events } = setup(
      { failures: 5, inFlight: 2, updatedAt: Date.now() - IN_FLIGHT_MS - 1 },
      true,
    );
    expect(await sut.takeAttempt(key)).toBe('locked');
    expect(repo.lockIfDue).toHaveBeenCalledWith(key, 5, 0, expect.any(Number), expect.any(Number));
    const [until] = (repo.lockIfDue.mock.calls[0] as number[]).slice(3, 4);
    expect(repo.lockPersonUntil).toHaveBeenCalledWith('u1', until, expect.any(Number));
    expect(users.moveEpochByKey).not.toHaveBeenCalled();
    expect(events.publish).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'lock', outcome: 'locked_temporarily', userId: 'u1' }),
    );
  });

  it('moves the epoch of whoever holds a locked name nobody could attribute', async () => {
    const { sut, repo, users } = setup({ failures: 5, inFlight: 2, updatedAt: Date.now() - IN_FLIGHT_MS - 1 }, true);
    users.findByUsername.mockResolvedValue(null);
    expect(await sut.takeAttempt(key)).toBe('locked');
    expect(repo.lockPersonUntil).not.toHaveBeenCalled();
    expect(users.moveEpochByKey).toHaveBeenCalledWith('default', 'alice');
  });

  it('answers in_flight, not locked, while the remaining attempts are still being judged', async () => {
    const { sut, repo } = setup({ failures: 5, inFlight: 2, updatedAt: Date.now() - 1_000 }, false);
    expect(await sut.takeAttempt(key)).toBe('in_flight');
    expect(repo.lockIfDue).not.toHaveBeenCalled();
  });

  it('answers locked for a key whose lock has not expired', async () => {
    const { sut, repo } = setup({ failures: 0, lockedUntil: Date.now() + 60_000 }, false);
    expect(await sut.takeAttempt(key)).toBe('locked');
    expect(repo.settleStale).not.toHaveBeenCalled();
  });
});
