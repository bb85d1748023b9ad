import { loadConfig } from '@/config/load-config';
import type { DomainEvents } from '@/events/domain-events';
import type { UserRepository } from '@/users/user.repository';
import { guardKey } from './guard-key';
import { LockoutPolicy } from './lockout.policy';
import type { LockoutRepository } from './lockout.repository';
import { AttemptRefused, HeldAttempt, IN_FLIGHT_MS, LockoutService } from './lockout.service';
import type { LoginGuard } from './login-guard.entity';

describe(LockoutService.name, () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const key = guardKey(config, undefined, 'Alice');
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
      judged: jest.fn().mockResolvedValue(undefined),
      giveBack: jest.fn().mockResolvedValue(undefined),
      complete: jest.fn().mockResolvedValue(true),
    };
    const users = {
      findByUsername: jest.fn().mockResolvedValue({ id: 'u1' }),
      moveEpochByKey: jest.fn().mockResolvedValue(undefined),
      epochIs: jest.fn().mockResolvedValue(false),
    };
    const events = { publish: jest.fn().mockResolvedValue(undefined) };
    const sut = new LockoutService(
      repo as unknown as LockoutRepository,
      users as unknown as UserRepository,
      new LockoutPolicy(config),
      events as unknown as DomainEvents,
    );
    return { sut, repo, users, events };
  };

  /** What `withAttempt` answers: the refusal it was given, or what the judgement returned. */
  const attemptOf = (
    sut: LockoutService,
    judge: (a: HeldAttempt) => Promise<string> = () => Promise.resolve('judged'),
  ) =>
    sut
      .withAttempt(key, (why: AttemptRefused) => Promise.resolve(new Error(why)), judge)
      .catch((e: Error) => e.message);

  it('applies the due lock, to the name and its user, to attempts left in flight longer than anything can take', async () => {
    const { sut, repo, users, events } = setup(
      { failures: 5, inFlight: 2, updatedAt: Date.now() - IN_FLIGHT_MS - 1 },
      true,
    );
    expect(await attemptOf(sut)).toBe('locked');
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
    expect(await attemptOf(sut)).toBe('locked');
    expect(repo.lockPersonUntil).not.toHaveBeenCalled();
    expect(users.moveEpochByKey).toHaveBeenCalledWith('default', 'alice');
  });

  it('answers in_flight, not locked, while the remaining attempts are still being judged', async () => {
    const { sut, repo } = setup({ failures: 5, inFlight: 2, updatedAt: Date.now() - 1_000 }, false);
    expect(await attemptOf(sut)).toBe('in_flight');
    expect(repo.lockIfDue).not.toHaveBeenCalled();
  });

  it('answers locked for a key whose lock has not expired', async () => {
    const { sut, repo } = setup({ failures: 0, lockedUntil: Date.now() + 60_000 }, false);
    expect(await attemptOf(sut)).toBe('locked');
    expect(repo.settleStale).not.toHaveBeenCalled();
  });

  describe('withAttempt', () => {
    const taken = () => {
      const s = setup({ failures: 0 }, false);
      s.repo.takeAttempt.mockResolvedValue(true);
      return s;
    };

    it('gives the attempt back when the judgement throws', async () => {
      const { sut, repo } = taken();
      expect(await attemptOf(sut, () => Promise.reject(new Error('outage')))).toBe('outage');
      expect(repo.giveBack).toHaveBeenCalledWith(key, expect.any(Number));
    });

    it('gives the attempt back when the judgement returns without completing', async () => {
      const { sut, repo } = taken();
      expect(await attemptOf(sut)).toBe('judged');
      expect(repo.giveBack).toHaveBeenCalledTimes(1);
    });

    it('keeps an attempt judged wrong counted, even when the judgement then throws', async () => {
      const { sut, repo } = taken();
      const wrong = async (a: HeldAttempt) => {
        await a.judgedWrong('u1');
        throw new Error('wrong');
      };
      expect(await attemptOf(sut, wrong)).toBe('wrong');
      expect(repo.judged).toHaveBeenCalledWith(key, expect.any(Number));
      expect(repo.giveBack).not.toHaveBeenCalled();
    });

    it('does not give back a completed attempt: the completion did', async () => {
      const { sut, repo } = taken();
      const done = async (a: HeldAttempt) => String(await a.completed({ id: 'u1' }, 3));
      expect(await attemptOf(sut, done)).toBe('true');
      expect(repo.complete).toHaveBeenCalledWith(key, 'u1', 3, expect.any(Number));
      expect(repo.giveBack).not.toHaveBeenCalled();
    });

    it('gives back the attempt of a completion whose auth epoch moved', async () => {
      const { sut, repo } = taken();
      repo.complete.mockResolvedValue(false);
      const done = async (a: HeldAttempt) => String(await a.completed({ id: 'u1' }, 3));
      expect(await attemptOf(sut, done)).toBe('false');
      expect(repo.giveBack).toHaveBeenCalledTimes(1);
    });

    it('neither judges nor gives back when no attempt was taken', async () => {
      const { sut, repo } = setup({ failures: 0, lockedUntil: Date.now() + 60_000 }, false);
      const judge = jest.fn();
      expect(await attemptOf(sut, judge)).toBe('locked');
      expect(judge).not.toHaveBeenCalled();
      expect(repo.giveBack).not.toHaveBeenCalled();
    });
  });
});
