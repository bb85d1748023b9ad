import { Injectable } from '@nestjs/common';
import { EventType, LockOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { UserRepository } from '../user.repository';
import { FOREVER } from './forever';
import { LockoutPolicy } from './lockout.policy';
import { GuardKey, LockoutRepository } from './lockout.repository';

// Longer than any password check can take: an attempt counted this long ago is no longer in flight.
export const IN_FLIGHT_MS = 30_000;

/** `taken`: go on and judge. `locked`: 403. `in_flight`: every remaining attempt is being judged, 503. */
export type Attempt = 'taken' | 'locked' | 'in_flight';

export interface LockState {
  locked: boolean;
  until: number | null;
  permanent: boolean;
  reason: string | null;
  /** Judged failures in a row. */
  failures: number;
  /** Attempts taken and not judged yet. */
  inFlight: number;
  lockCount: number;
  lockedAt: number | null;
}

/**
 * Consecutive failures per (institution, username), for passwords and second factors alike. An
 * attempt is taken before the answer is judged, so no burst, over one challenge or many, on one
 * replica or several, judges more than LOCKOUT_THRESHOLD wrong answers (PRODUCT.md sections 4, 7).
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly repo: LockoutRepository,
    private readonly users: UserRepository,
    private readonly policy: LockoutPolicy,
    private readonly events: DomainEvents,
  ) {}

  async state(key: GuardKey): Promise<LockState> {
    const g = await this.repo.find(key);
    const now = Date.now();
    const locked = !!g && g.lockedUntil > now;
    return {
      locked,
      until: locked ? g.lockedUntil : null,
      permanent: locked && g.lockedUntil === FOREVER,
      reason: locked ? g.lockReason : null,
      failures: g ? Math.max(0, g.failures - g.inFlight) : 0,
      inFlight: g?.inFlight ?? 0,
      lockCount: g?.lockCount ?? 0,
      lockedAt: locked ? g.lockedAt : null,
    };
  }

  async isLocked(key: GuardKey): Promise<boolean> {
    return (await this.state(key)).locked;
  }

  async takeAttempt(key: GuardKey): Promise<Attempt> {
    const now = Date.now();
    if (await this.repo.takeAttempt(key, this.policy.threshold, now)) return 'taken';
    const g = await this.repo.find(key);
    if (!g) return 'in_flight';
    if (g.lockedUntil > now) return 'locked';
    // Attempts counted by a process that died before judging them: the lock they were due is applied
    // once nothing can still be in flight, so it shows to support staff and expires as the policy says.
    if (await this.repo.settleStale(key, now - IN_FLIGHT_MS, now)) {
      const user = await this.users.findByUsername(key.institutionId, key.usernameNorm);
      if (await this.lockIfDue(key, user?.id ?? null, 'stale_attempts')) return 'locked';
      return (await this.repo.takeAttempt(key, this.policy.threshold, Date.now())) ? 'taken' : 'in_flight';
    }
    return 'in_flight';
  }

  /** The taken attempt was wrong: it stays counted, and may lock. */
  async judgedWrong(key: GuardKey, userId: string | null): Promise<void> {
    await this.repo.judged(key, Date.now());
    await this.lockIfDue(key, userId);
  }

  /** The taken attempt was right, or could not be judged (an outage): it is given back. */
  giveBack(key: GuardKey): Promise<void> {
    return this.repo.giveBack(key, Date.now());
  }

  /**
   * Authentication completed (200 from auth_token or 2fa) under auth epoch `epoch`: the attempt held for
   * it is given back and the count starts again. False, with the attempt still held, when the epoch moved
   * meanwhile: what was begun under it is over (PRODUCT.md section 7).
   */
  async completed(key: GuardKey, user: { id: string }, epoch: number): Promise<boolean> {
    if (await this.repo.complete(key, user.id, epoch, Date.now())) return true;
    // No row changed: the epoch moved, or (an attempt held past IN_FLIGHT_MS, settled, then purged) no row.
    return this.users.epochIs(user.id, epoch);
  }

  /** Locks when the judged failures reached the threshold; a lock ends the user's open challenges. */
  private async lockIfDue(key: GuardKey, userId: string | null, cause = 'failures'): Promise<boolean> {
    const g = await this.repo.find(key);
    if (!g || g.failures - g.inFlight < this.policy.threshold) return false;
    const now = Date.now();
    const until = this.policy.lockedUntil(g.lockCount + 1, now);
    if (!(await this.repo.lockIfDue(key, this.policy.threshold, g.lockCount, until, now))) return false;
    await this.users.moveEpochByKey(key.institutionId, key.usernameNorm);
    await this.events.publish({
      type: EventType.Lock,
      outcome: until === FOREVER ? LockOutcome.UntilUnlocked : LockOutcome.Temporarily,
      userId,
      institutionId: key.institutionId,
      detail: {
        lock_number: g.lockCount + 1,
        until: until === FOREVER ? null : new Date(until).toISOString(),
        reason: 'too many failed attempts',
        cause,
      },
    });
    return true;
  }

  /** Forgets failure counters idle for `retentionMs` (never a current lock, never an attempt in flight). */
  purgeStale(retentionMs: number): Promise<number> {
    const now = Date.now();
    return this.repo.purge(now, now - retentionMs);
  }

  unlock(key: GuardKey): Promise<void> {
    return this.repo.unlock(key, Date.now());
  }

  async lock(key: GuardKey, reason: string): Promise<void> {
    await this.repo.lockByStaff(key, reason, Date.now());
    await this.users.moveEpochByKey(key.institutionId, key.usernameNorm);
  }
}
