import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FOREVER } from '@/database/columns';
import { LoginGuard } from './login-guard.entity';

export interface GuardKey {
  institutionId: string;
  usernameNorm: string;
}

/**
 * One statement per method; every counter change is a conditional UPDATE whose affected-row
 * count is the answer, so it holds under concurrency on one process or many (STYLE.md habit 6).
 */
@Injectable()
export class LockoutRepository {
  constructor(@InjectRepository(LoginGuard) private readonly guards: Repository<LoginGuard>) {}

  find(key: GuardKey): Promise<LoginGuard | null> {
    return this.guards.findOneBy(key);
  }

  async ensure(key: GuardKey, now: number): Promise<void> {
    await this.guards
      .createQueryBuilder()
      .insert()
      .values({ ...key, failures: 0, lockCount: 0, lockedUntil: 0, updatedAt: now })
      .orIgnore()
      .execute();
  }

  /** Takes one attempt if the key is not locked and under the threshold. */
  async takeAttempt(key: GuardKey, threshold: number, now: number): Promise<boolean> {
    const r = await this.update(key)
      .set({ failures: () => 'failures + 1', updatedAt: now })
      .andWhere('failures < :threshold', { threshold })
      .andWhere('locked_until <= :now', { now })
      .execute();
    return r.affected === 1;
  }

  async giveBack(key: GuardKey, now: number): Promise<void> {
    await this.update(key)
      .set({ failures: () => 'failures - 1', updatedAt: now })
      .andWhere('failures > 0')
      .execute();
  }

  async addFailure(key: GuardKey, now: number): Promise<void> {
    await this.update(key)
      .set({ failures: () => 'failures + 1', updatedAt: now })
      .execute();
  }

  /** Locks if failures reached the threshold and nobody else locked first (lock_count unchanged). */
  async lockIfDue(
    key: GuardKey,
    threshold: number,
    prevLockCount: number,
    until: number,
    now: number,
  ): Promise<boolean> {
    const r = await this.update(key)
      .set({
        failures: 0,
        lockCount: prevLockCount + 1,
        lockedUntil: until,
        lockedAt: now,
        lockReason: 'too many failed attempts',
        updatedAt: now,
      })
      .andWhere('failures >= :threshold', { threshold })
      .andWhere('lock_count = :prev', { prev: prevLockCount })
      .execute();
    return r.affected === 1;
  }

  /** A completed login: the failure count and the run of temporary locks start again. */
  async reset(key: GuardKey, now: number): Promise<void> {
    await this.update(key).set({ failures: 0, lockCount: 0, updatedAt: now }).execute();
  }

  async unlock(key: GuardKey, now: number): Promise<void> {
    await this.update(key)
      .set({ failures: 0, lockCount: 0, lockedUntil: 0, lockedAt: null, lockReason: null, updatedAt: now })
      .execute();
  }

  async lockByStaff(key: GuardKey, reason: string, now: number): Promise<void> {
    await this.update(key).set({ lockedUntil: FOREVER, lockedAt: now, lockReason: reason, updatedAt: now }).execute();
  }

  /** Rows that hold nothing (no failures, no lock history, unlocked), and unlocked rows idle since `idleBefore`. */
  async purge(now: number, idleBefore: number): Promise<number> {
    const r = await this.guards
      .createQueryBuilder()
      .delete()
      .from(LoginGuard)
      .where('locked_until <= :now', { now })
      .andWhere('((failures = 0 AND lock_count = 0) OR updated_at < :idleBefore)', { idleBefore })
      .execute();
    return r.affected ?? 0;
  }

  private update(key: GuardKey) {
    return this.guards
      .createQueryBuilder()
      .update(LoginGuard)
      .where('institution_id = :institutionId AND username_norm = :usernameNorm', key);
  }
}
