import { Injectable } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { FOREVER } from '@/database/columns';
import { LockoutPolicy } from './lockout.policy';
import { GuardKey, LockoutRepository } from './lockout.repository';

// Longer than any password check can take: an attempt counted this long ago is no longer in flight.
export const IN_FLIGHT_MS = 30_000;

export interface LockState {
  locked: boolean;
  until: number | null;
  permanent: boolean;
  reason: string | null;
  failures: number;
  lockCount: number;
}

/**
 * Consecutive failures per (institution, username). An attempt is counted before the password
 * is checked, so no burst checks more than LOCKOUT_THRESHOLD wrong passwords (PRODUCT.md section 4).
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly repo: LockoutRepository,
    private readonly policy: LockoutPolicy,
    private readonly audit: AuditService,
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
      failures: g?.failures ?? 0,
      lockCount: g?.lockCount ?? 0,
    };
  }

  async isLocked(key: GuardKey): Promise<boolean> {
    return (await this.state(key)).locked;
  }

  /** False when the key is locked, or its remaining attempts are all in flight. */
  async takeAttempt(key: GuardKey): Promise<boolean> {
    const now = Date.now();
    await this.repo.ensure(key, now);
    if (await this.repo.takeAttempt(key, this.policy.threshold, now)) return true;
    await this.healStaleSaturation(key, now);
    return false;
  }

  /**
   * Attempts counted by a process that died before judging them (a replica killed mid-burst) leave
   * the count at the threshold with no lock. Once nothing can still be in flight, the lock they were
   * due is applied, so it shows to support staff and expires as the policy says.
   */
  private async healStaleSaturation(key: GuardKey, now: number): Promise<void> {
    const g = await this.repo.find(key);
    if (g && g.lockedUntil <= now && g.failures >= this.policy.threshold && now - g.updatedAt > IN_FLIGHT_MS) {
      await this.lockIfDue(key, null);
    }
  }

  /** A right password gives its counted attempt back. */
  giveBack(key: GuardKey): Promise<void> {
    return this.repo.giveBack(key, Date.now());
  }

  /** A wrong passcode or answer: one more failure (the attempt on the challenge was taken already). */
  async addFailure(key: GuardKey, userId: string | null): Promise<void> {
    const now = Date.now();
    await this.repo.ensure(key, now);
    await this.repo.addFailure(key, now);
    await this.lockIfDue(key, userId);
  }

  /** After a counted failure: lock when the threshold is reached. Returns whether this call locked. */
  async lockIfDue(key: GuardKey, userId: string | null): Promise<boolean> {
    const g = await this.repo.find(key);
    if (!g || g.failures < this.policy.threshold) return false;
    const now = Date.now();
    const until = this.policy.lockedUntil(g.lockCount + 1, now);
    const locked = await this.repo.lockIfDue(key, this.policy.threshold, g.lockCount, until, now);
    if (locked) {
      await this.audit.record({
        type: 'lock',
        outcome: until === FOREVER ? 'locked_until_unlocked' : 'locked_temporarily',
        userId,
        institutionId: key.institutionId,
        detail: {
          lock_number: g.lockCount + 1,
          until: until === FOREVER ? null : new Date(until).toISOString(),
          reason: 'too many failed attempts',
        },
      });
    }
    return locked;
  }

  /** Authentication completed (200 from auth_token or 2fa). */
  reset(key: GuardKey): Promise<void> {
    return this.repo.reset(key, Date.now());
  }

  /** Forgets failure counters idle for `retentionMs` (never a current lock). */
  purgeStale(retentionMs: number): Promise<number> {
    const now = Date.now();
    return this.repo.purge(now, now - retentionMs);
  }

  async unlock(key: GuardKey): Promise<void> {
    const now = Date.now();
    await this.repo.ensure(key, now);
    await this.repo.unlock(key, now);
  }

  async lock(key: GuardKey, reason: string): Promise<void> {
    const now = Date.now();
    await this.repo.ensure(key, now);
    await this.repo.lockByStaff(key, reason, now);
  }
}
