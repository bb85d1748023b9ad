import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { FOREVER } from './forever';
import { LoginGuard } from './login-guard.entity';

export interface GuardKey {
  institutionId: string;
  usernameNorm: string;
}

const KEY = 'institution_id = ? AND username_norm = ?';
const keyParams = (k: GuardKey) => [k.institutionId, k.usernameNorm];

/**
 * One statement per method; every counter change is a conditional UPDATE (or an upsert) whose
 * affected rows are the answer, so it holds under concurrency on one process or many (STYLE.md
 * habit 6). `failures` counts attempts taken and not given back; `in_flight` is the part of them not
 * judged yet, so `failures - in_flight` is what support staff see and what the lock is decided on.
 */
@Injectable()
export class LockoutRepository {
  private mapper?: RowMapper<LoginGuard>;

  constructor(
    @InjectRepository(LoginGuard) private readonly guards: Repository<LoginGuard>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /** Read on every refused or judged attempt: one plain SELECT by key, mapped with the entity's columns. */
  async find(key: GuardKey): Promise<LoginGuard | null> {
    const m = (this.mapper ??= rowMapper<LoginGuard>(this.guards.metadata));
    const { rows } = await runSql(this.ds, `SELECT ${m.columns} FROM login_guard WHERE ${KEY}`, keyParams(key));
    return rows[0] ? m.map(rows[0]) : null;
  }

  /**
   * Takes one attempt if the key is not locked and under the threshold, creating the row if needed.
   * One upsert, so a purge that deletes an idle row between two statements cannot turn into a 403.
   */
  async takeAttempt(key: GuardKey, threshold: number, now: number): Promise<boolean> {
    const r = await runSql(
      this.ds,
      `INSERT INTO login_guard (institution_id, username_norm, failures, in_flight, lock_count, locked_until, updated_at)
       VALUES (?, ?, 1, 1, 0, 0, ?)
       ON CONFLICT (institution_id, username_norm) DO UPDATE
         SET failures = login_guard.failures + 1, in_flight = login_guard.in_flight + 1, updated_at = excluded.updated_at
         WHERE login_guard.failures < ? AND login_guard.locked_until <= ?
       RETURNING failures`,
      [...keyParams(key), now, threshold, now],
    );
    return r.rows.length === 1;
  }

  /** A taken attempt was judged wrong: it stays counted, and is no longer in flight. */
  async judged(key: GuardKey, now: number): Promise<void> {
    await runSql(
      this.ds,
      `UPDATE login_guard SET in_flight = in_flight - 1, updated_at = ? WHERE ${KEY} AND in_flight > 0`,
      [now, ...keyParams(key)],
    );
  }

  /** A taken attempt turned out right (or was never judged): it is given back. */
  async giveBack(key: GuardKey, now: number): Promise<void> {
    await runSql(
      this.ds,
      `UPDATE login_guard SET failures = failures - 1, in_flight = in_flight - 1, updated_at = ?
       WHERE ${KEY} AND in_flight > 0 AND failures > 0`,
      [now, ...keyParams(key)],
    );
  }

  /**
   * Locks if the judged failures reached the threshold, the key is not locked already (a staff lock
   * is never shortened) and nobody else locked first (lock_count unchanged): one burst, one lock.
   */
  async lockIfDue(
    key: GuardKey,
    threshold: number,
    prevLockCount: number,
    until: number,
    now: number,
  ): Promise<boolean> {
    const r = await runSql(
      this.ds,
      `UPDATE login_guard SET failures = in_flight, lock_count = ?, locked_until = ?, locked_at = ?, lock_reason = ?, updated_at = ?
       WHERE ${KEY} AND failures - in_flight >= ? AND lock_count = ? AND locked_until <= ?`,
      [
        prevLockCount + 1,
        until,
        now,
        'too many failed attempts',
        now,
        ...keyParams(key),
        threshold,
        prevLockCount,
        now,
      ],
    );
    return r.affected === 1;
  }

  /**
   * Attempts left in flight by a process that died before judging them (a replica killed mid-burst)
   * count as judged once nothing can still be in flight: they were never given back.
   */
  async settleStale(key: GuardKey, staleBefore: number, now: number): Promise<boolean> {
    const r = await runSql(
      this.ds,
      `UPDATE login_guard SET in_flight = 0, updated_at = ? WHERE ${KEY} AND in_flight > 0 AND updated_at < ?`,
      [now, ...keyParams(key), staleBefore],
    );
    return r.affected === 1;
  }

  /**
   * A completed login, in one statement: the attempt held for it is given back, and the judged failures
   * and the run of temporary locks start again; unless the user's auth epoch moved while it was judged
   * (a password change, factor reset or lock ended it), when nothing changes. The epoch is read in the
   * same statement, so no change can land between the check and the reset.
   */
  async complete(key: GuardKey, userId: string, epoch: number, now: number): Promise<boolean> {
    const heldBack = 'CASE WHEN in_flight > 0 THEN in_flight - 1 ELSE 0 END';
    const r = await runSql(
      this.ds,
      `UPDATE login_guard SET failures = ${heldBack}, in_flight = ${heldBack}, lock_count = 0, updated_at = ?
       WHERE ${KEY} AND EXISTS (SELECT 1 FROM users WHERE id = ? AND auth_epoch = ?)`,
      [now, ...keyParams(key), userId, epoch],
    );
    return r.affected === 1;
  }

  async unlock(key: GuardKey, now: number): Promise<void> {
    await runSql(
      this.ds,
      `UPDATE login_guard SET failures = in_flight, lock_count = 0, locked_until = 0, locked_at = NULL, lock_reason = NULL,
       updated_at = ? WHERE ${KEY}`,
      [now, ...keyParams(key)],
    );
  }

  async lockByStaff(key: GuardKey, reason: string, now: number): Promise<void> {
    await runSql(
      this.ds,
      `INSERT INTO login_guard (institution_id, username_norm, failures, in_flight, lock_count, locked_until, locked_at,
         lock_reason, updated_at)
       VALUES (?, ?, 0, 0, 0, ?, ?, ?, ?)
       ON CONFLICT (institution_id, username_norm) DO UPDATE
         SET locked_until = excluded.locked_until, locked_at = excluded.locked_at, lock_reason = excluded.lock_reason,
             updated_at = excluded.updated_at`,
      [...keyParams(key), FOREVER, now, reason, now],
    );
  }

  /**
   * Rows that hold nothing (no failures, no lock history, unlocked), and unlocked rows idle since
   * `idleBefore`; never one with an attempt in flight, so no failure being judged is lost.
   */
  async purge(now: number, idleBefore: number): Promise<number> {
    const r = await runSql(
      this.ds,
      `DELETE FROM login_guard WHERE locked_until <= ? AND in_flight = 0
       AND ((failures = 0 AND lock_count = 0) OR updated_at < ?)`,
      [now, idleBefore],
    );
    return r.affected;
  }
}
