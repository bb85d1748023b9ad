import { Injectable } from '@nestjs/common';
import { EventType, LockOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { UserRepository } from '@/users/user.repository';
import { FOREVER } from './forever';
import { GuardKey, LockTarget, PersonKey, isPerson, nameOf } from './guard-key';
import { LockoutPolicy } from './lockout.policy';
import { GuardRow, LockoutRepository } from './lockout.repository';

// Longer than any password check can take: an attempt counted this long ago is no longer in flight.
export const IN_FLIGHT_MS = 30_000;

/** Why no attempt was taken: `locked` (403), or `in_flight`, every remaining attempt is being judged (503). */
export type AttemptRefused = 'locked' | 'in_flight';

/**
 * An attempt taken on a target while its answer is judged. Judged wrong, it stays counted; completed,
 * the count starts again; on any other way out of `withAttempt` (a refusal, an outage, an error) it is
 * given back.
 */
export interface HeldAttempt {
  /** The answer was wrong: the attempt stays counted, and may lock (the lock names `userId`, when known). */
  judgedWrong(userId: string | null): Promise<void>;
  /**
   * The step completed under auth epoch `epoch` (a right password, a 200 from 2fa): the attempt is
   * given back and the count starts again, in one statement. False when the epoch moved meanwhile:
   * what was begun under it is over, and the attempt is given back on the way out.
   */
  completed(user: { id: string }, epoch: number): Promise<boolean>;
}

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
 * Consecutive failures, kept where docs/security.md's "Locks follow the person" says: wrong passwords per
 * typed (institution, username), since nobody can say yet who was meant; wrong second-factor answers
 * and staff locks on the person, whatever identifier they signed in with. A name locked by wrong
 * passwords locks the user who holds it too. An attempt is taken before the answer is judged, so no
 * burst, over one challenge or many, one identifier or several, on one replica or several, judges
 * more than LOCKOUT_THRESHOLD wrong answers.
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly repo: LockoutRepository,
    private readonly users: UserRepository,
    private readonly policy: LockoutPolicy,
    private readonly events: DomainEvents,
  ) {}

  /**
   * What support staff see. For a person: their own lock and count, together with those of the name
   * they hold now (a lock that wrong passwords put on it before anyone knew who was meant).
   */
  async state(target: LockTarget): Promise<LockState> {
    if (!isPerson(target)) return stateOf(await this.repo.find(target));
    const [own, name] = await Promise.all([this.repo.find(target), this.repo.find(nameOf(target))]);
    const mine = stateOf(own);
    const theirs = stateOf(name);
    const lock = mine.locked && (!theirs.locked || mine.until! >= theirs.until!) ? mine : theirs;
    return {
      ...lock,
      // The same answers count on both (a second factor's on the person and on the name typed): the nearer to a lock.
      failures: Math.max(mine.failures, theirs.failures),
      inFlight: Math.max(mine.inFlight, theirs.inFlight),
      lockCount: Math.max(mine.lockCount, theirs.lockCount),
    };
  }

  /** Whether the target is locked now: for a person, their own lock (a name's lock reaches them when it is set). */
  async isLocked(target: LockTarget): Promise<boolean> {
    const g = await this.repo.find(target);
    return !!g && g.lockedUntil > Date.now();
  }

  /**
   * The bracket of a judged step (a login's password, a second factor's answer): one attempt is taken
   * before `judge` runs, so no burst judges more than LOCKOUT_THRESHOLD wrong answers, and it is given
   * back on every way out of `judge`, an error included, unless it was judged wrong or completed. When
   * none could be taken, the error `refused` gives for why is thrown, and `judge` does not run.
   */
  async withAttempt<R>(
    target: LockTarget,
    refused: (why: AttemptRefused) => Promise<Error>,
    judge: (attempt: HeldAttempt) => Promise<R>,
  ): Promise<R> {
    const taken = await this.takeAttempt(target);
    if (taken !== 'taken') throw await refused(taken);
    let held = true;
    const attempt: HeldAttempt = {
      judgedWrong: async (userId) => {
        held = false;
        await this.judgedWrong(target, userId);
      },
      completed: async (user, epoch) => {
        held = !(await this.completed(target, user, epoch));
        return !held;
      },
    };
    try {
      return await judge(attempt);
    } finally {
      if (held) await this.repo.giveBack(target, Date.now());
    }
  }

  /** Takes one attempt: `taken` (go on and judge), or why not. */
  private async takeAttempt(target: LockTarget): Promise<'taken' | AttemptRefused> {
    const now = Date.now();
    if (await this.repo.takeAttempt(target, this.policy.threshold, now)) return 'taken';
    const g = await this.repo.find(target);
    if (!g) return 'in_flight';
    if (g.lockedUntil > now) return 'locked';
    // Attempts counted by a process that died before judging them: the lock they were due is applied
    // once nothing can still be in flight, so it shows to support staff and expires as the policy says.
    if (await this.repo.settleStale(target, now - IN_FLIGHT_MS, now)) {
      const userId = isPerson(target)
        ? target.userId
        : ((await this.users.findByUsername(target.institutionId, target.usernameNorm))?.id ?? null);
      if (await this.lockIfDue(target, userId, 'stale_attempts')) return 'locked';
      return (await this.repo.takeAttempt(target, this.policy.threshold, Date.now())) ? 'taken' : 'in_flight';
    }
    return 'in_flight';
  }

  /** The taken attempt was wrong: it stays counted, and may lock. */
  private async judgedWrong(target: LockTarget, userId: string | null): Promise<void> {
    await this.repo.judged(target, Date.now());
    await this.lockIfDue(target, userId);
  }

  /** A completed step: false, with the attempt still held, when the epoch moved (HeldAttempt.completed). */
  private async completed(target: LockTarget, user: { id: string }, epoch: number): Promise<boolean> {
    if (await this.repo.complete(target, user.id, epoch, Date.now())) return true;
    // No row changed: the epoch moved, or (an attempt held past IN_FLIGHT_MS, settled, then purged) no row.
    return this.users.epochIs(user.id, epoch);
  }

  /**
   * A name's count starts again, with no attempt of it held (a second factor completed the login it
   * began); unless the user's auth epoch moved. One statement.
   */
  async reset(name: GuardKey, user: { id: string }, epoch: number): Promise<void> {
    await this.repo.complete(name, user.id, epoch, Date.now(), false);
  }

  /**
   * A right password that leads to a second factor: the wrong passwords counted on the typed name are
   * the person's now too, so the factor cannot be guessed by logging in again through another name, nor
   * the count escaped (a right password followed by a wrong answer does not clear it).
   */
  carryToPerson(name: GuardKey, user: { id: string }): Promise<void> {
    return this.repo.carryToPerson(name, user.id, Date.now());
  }

  /**
   * Locks when the judged failures reached the threshold; a lock ends the user's open challenges. A
   * name's lock is the person's too when the name belongs to a known user.
   */
  private async lockIfDue(target: LockTarget, userId: string | null, cause = 'failures'): Promise<boolean> {
    const g = await this.repo.find(target);
    if (!g || g.failures - g.inFlight < this.policy.threshold) return false;
    const now = Date.now();
    const until = this.policy.lockedUntil(g.lockCount + 1, now);
    if (!(await this.repo.lockIfDue(target, this.policy.threshold, g.lockCount, until, now))) return false;
    // A name's lock reaches its user, unless the user is locked already (one burst over both counts is one lock).
    if (!isPerson(target) && userId && !(await this.repo.lockPersonUntil(userId, until, now))) return true;
    if (!isPerson(target) && !userId) await this.users.moveEpochByKey(target.institutionId, target.usernameNorm);
    await this.events.publish({
      type: EventType.Lock,
      outcome: until === FOREVER ? LockOutcome.UntilUnlocked : LockOutcome.Temporarily,
      userId,
      institutionId: target.institutionId,
      detail: {
        lock_number: g.lockCount + 1,
        until: until === FOREVER ? null : new Date(until).toISOString(),
        reason: 'too many failed attempts',
        cause,
        counted: isPerson(target) ? 'second_factor' : 'password',
      },
    });
    return true;
  }

  /** Forgets failure counters idle for `retentionMs` (never a current lock, never an attempt in flight). */
  async purgeStale(retentionMs: number): Promise<number> {
    const now = Date.now();
    const names = await this.repo.purge(now, now - retentionMs);
    return names + (await this.repo.forgetIdlePeople(now, now - retentionMs));
  }

  /** Support's unlock: the person's own lock and count, and those of the name they hold now. */
  async unlock(target: PersonKey): Promise<void> {
    const now = Date.now();
    await this.repo.unlock(target, now);
    await this.repo.unlock(nameOf(target), now);
  }

  /** Support's lock: the person's, through every identifier, until staff end it. */
  lock(target: PersonKey, reason: string): Promise<void> {
    return this.repo.lockByStaff(target, reason, Date.now());
  }
}

function stateOf(g: GuardRow | null): LockState {
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
