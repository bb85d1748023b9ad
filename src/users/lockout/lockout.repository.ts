import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { FOREVER } from './forever';
import { GuardKey, LockTarget, PersonKey, isPerson } from './guard-key';
import { LoginGuard } from './login-guard.entity';

/** The counter columns, as both tables name them; `updated_at` is the users table's `guard_updated_at`. */
export interface GuardRow {
  failures: number;
  inFlight: number;
  lockCount: number;
  lockedUntil: number;
  lockedAt: number | null;
  lockReason: string | null;
  updatedAt: number;
}

/** Where one target's counters live: its table, the WHERE that finds its row, and what else a lock changes. */
interface Place {
  table: 'login_guard' | 'users';
  where: string;
  params: unknown[];
  at: 'updated_at' | 'guard_updated_at';
  /** A lock on a person ends what was begun under the old auth epoch, in the same statement. */
  onLock: string;
}

const placeOf = (t: LockTarget): Place =>
  isPerson(t)
    ? {
        table: 'users',
        where: 'id = ?',
        params: [t.userId],
        at: 'guard_updated_at',
        onLock: ', auth_epoch = auth_epoch + 1',
      }
    : {
        table: 'login_guard',
        where: 'institution_id = ? AND username_norm = ?',
        params: [t.institutionId, t.usernameNorm],
        at: 'updated_at',
        onLock: '',
      };

const TOO_MANY = 'too many failed attempts';

/**
 * One statement per method; every counter change is a conditional UPDATE (or an upsert) whose
 * affected rows are the answer, so it holds under concurrency on one process or many (STYLE.md
 * habit 6). The same counters live in `login_guard` (per typed name) and on the user row (per person).
 * `failures` counts attempts taken and not given back; `in_flight` is the part of them not judged yet,
 * so `failures - in_flight` is what support staff see and what the lock is decided on.
 */
@Injectable()
export class LockoutRepository {
  private mapper?: RowMapper<LoginGuard>;

  constructor(
    @InjectRepository(LoginGuard) private readonly guards: Repository<LoginGuard>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /** Read on every refused or judged attempt: one plain SELECT by key. */
  async find(target: LockTarget): Promise<GuardRow | null> {
    if (isPerson(target)) {
      const { rows } = await runSql<Record<string, unknown>>(
        this.ds,
        `SELECT failures, in_flight, lock_count, locked_until, locked_at, lock_reason, guard_updated_at FROM users
         WHERE id = ?`,
        [target.userId],
      );
      const r = rows[0];
      if (!r) return null;
      return {
        failures: Number(r.failures),
        inFlight: Number(r.in_flight),
        lockCount: Number(r.lock_count),
        lockedUntil: Number(r.locked_until),
        lockedAt: r.locked_at == null ? null : Number(r.locked_at),
        lockReason: (r.lock_reason as string | null) ?? null,
        updatedAt: Number(r.guard_updated_at),
      };
    }
    const m = (this.mapper ??= rowMapper<LoginGuard>(this.guards.metadata));
    const p = placeOf(target);
    const { rows } = await runSql(this.ds, `SELECT ${m.columns} FROM login_guard WHERE ${p.where}`, p.params);
    return rows[0] ? m.map(rows[0]) : null;
  }

  /**
   * Takes one attempt if the target is not locked and under the threshold. A name's row is made if
   * needed, in one upsert, so a purge that deletes an idle row between two statements cannot turn
   * into a 403; a person's row is the user's own.
   */
  async takeAttempt(target: LockTarget, threshold: number, now: number): Promise<boolean> {
    if (isPerson(target)) {
      const r = await runSql(
        this.ds,
        `UPDATE users SET failures = failures + 1, in_flight = in_flight + 1, guard_updated_at = ?
         WHERE id = ? AND failures < ? AND locked_until <= ?`,
        [now, target.userId, threshold, now],
      );
      return r.affected === 1;
    }
    const r = await runSql(
      this.ds,
      `INSERT INTO login_guard (institution_id, username_norm, failures, in_flight, lock_count, locked_until, updated_at)
       VALUES (?, ?, 1, 1, 0, 0, ?)
       ON CONFLICT (institution_id, username_norm) DO UPDATE
         SET failures = login_guard.failures + 1, in_flight = login_guard.in_flight + 1, updated_at = excluded.updated_at
         WHERE login_guard.failures < ? AND login_guard.locked_until <= ?
       RETURNING failures`,
      [target.institutionId, target.usernameNorm, now, threshold, now],
    );
    return r.rows.length === 1;
  }

  /** A taken attempt was judged wrong: it stays counted, and is no longer in flight. */
  async judged(target: LockTarget, now: number): Promise<void> {
    const p = placeOf(target);
    await runSql(
      this.ds,
      `UPDATE ${p.table} SET in_flight = in_flight - 1, ${p.at} = ? WHERE ${p.where} AND in_flight > 0`,
      [now, ...p.params],
    );
  }

  /** A taken attempt turned out right (or was never judged): it is given back. */
  async giveBack(target: LockTarget, now: number): Promise<void> {
    const p = placeOf(target);
    await runSql(
      this.ds,
      `UPDATE ${p.table} SET failures = failures - 1, in_flight = in_flight - 1, ${p.at} = ?
       WHERE ${p.where} AND in_flight > 0 AND failures > 0`,
      [now, ...p.params],
    );
  }

  /**
   * Locks if the judged failures reached the threshold, the target is not locked already (a staff lock
   * is never shortened) and nobody else locked first (lock_count unchanged): one burst, one lock.
   */
  async lockIfDue(
    target: LockTarget,
    threshold: number,
    prevLockCount: number,
    until: number,
    now: number,
  ): Promise<boolean> {
    const p = placeOf(target);
    const r = await runSql(
      this.ds,
      `UPDATE ${p.table} SET failures = in_flight, lock_count = ?, locked_until = ?, locked_at = ?, lock_reason = ?,
         ${p.at} = ?${p.onLock}
       WHERE ${p.where} AND failures - in_flight >= ? AND lock_count = ? AND locked_until <= ?`,
      [prevLockCount + 1, until, now, TOO_MANY, now, ...p.params, threshold, prevLockCount, now],
    );
    return r.affected === 1;
  }

  /**
   * A name locked by wrong passwords that belongs to a known user locks the user too, until the same
   * time, and ends what was begun under the old auth epoch: one statement. A user locked already (by
   * staff, or by the same burst's answers counted on them) keeps that lock: false.
   */
  async lockPersonUntil(userId: string, until: number, now: number): Promise<boolean> {
    const r = await runSql(
      this.ds,
      `UPDATE users SET locked_until = ?, locked_at = ?, lock_reason = ?, guard_updated_at = ?, auth_epoch = auth_epoch + 1
       WHERE id = ? AND locked_until <= ?`,
      [until, now, TOO_MANY, now, userId, now],
    );
    return r.affected === 1;
  }

  /**
   * The judged failures of a name become the person's too, if more than the person has: a maximum, so
   * two right passwords at once carry nothing twice, and the name keeps its own count. One statement.
   */
  async carryToPerson(name: GuardKey, userId: string, now: number): Promise<void> {
    const judged = `(SELECT g.failures - g.in_flight FROM login_guard g WHERE g.institution_id = ? AND g.username_norm = ?)`;
    await runSql(
      this.ds,
      `UPDATE users SET failures = in_flight + ${judged}, guard_updated_at = ?
       WHERE id = ? AND failures - in_flight < ${judged}`,
      [name.institutionId, name.usernameNorm, now, userId, name.institutionId, name.usernameNorm],
    );
  }

  /**
   * Attempts left in flight by a process that died before judging them (a replica killed mid-burst)
   * count as judged once nothing can still be in flight: they were never given back.
   */
  async settleStale(target: LockTarget, staleBefore: number, now: number): Promise<boolean> {
    const p = placeOf(target);
    const r = await runSql(
      this.ds,
      `UPDATE ${p.table} SET in_flight = 0, ${p.at} = ? WHERE ${p.where} AND in_flight > 0 AND ${p.at} < ?`,
      [now, ...p.params, staleBefore],
    );
    return r.affected === 1;
  }

  /**
   * A completed step, in one statement: the attempt held for it is given back, and the judged failures
   * and the run of temporary locks start again; unless the user's auth epoch moved while it was judged
   * (a password change, factor reset or lock ended it), when nothing changes. The epoch is read in the
   * same statement, so no change can land between the check and the reset. `held`: whether an attempt
   * of this target was taken for the step (a name's, when a second factor completes, was not).
   */
  async complete(target: LockTarget, userId: string, epoch: number, now: number, held = true): Promise<boolean> {
    const p = placeOf(target);
    const heldBack = held ? 'CASE WHEN in_flight > 0 THEN in_flight - 1 ELSE 0 END' : 'in_flight';
    const r = await runSql(
      this.ds,
      `UPDATE ${p.table} SET failures = ${heldBack}, in_flight = ${heldBack}, lock_count = 0, ${p.at} = ?
       WHERE ${p.where} AND EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.auth_epoch = ?)`,
      [now, ...p.params, userId, epoch],
    );
    return r.affected === 1;
  }

  async unlock(target: LockTarget, now: number): Promise<void> {
    const p = placeOf(target);
    await runSql(
      this.ds,
      `UPDATE ${p.table} SET failures = in_flight, lock_count = 0, locked_until = 0, locked_at = NULL, lock_reason = NULL,
       ${p.at} = ? WHERE ${p.where}`,
      [now, ...p.params],
    );
  }

  /** A staff lock is the person's: only staff end it, and it ends the user's open challenges at once. */
  async lockByStaff(target: PersonKey, reason: string, now: number): Promise<void> {
    await runSql(
      this.ds,
      `UPDATE users SET locked_until = ?, locked_at = ?, lock_reason = ?, guard_updated_at = ?, auth_epoch = auth_epoch + 1
       WHERE id = ?`,
      [FOREVER, now, reason, now, target.userId],
    );
  }

  /**
   * Name rows that hold nothing (no failures, no lock history, unlocked), and unlocked rows idle since
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

  /** A person's counts idle since `idleBefore` start again, as a name's row would be forgotten. */
  async forgetIdlePeople(now: number, idleBefore: number): Promise<number> {
    const r = await runSql(
      this.ds,
      `UPDATE users SET failures = 0, lock_count = 0 WHERE locked_until <= ? AND in_flight = 0
       AND (failures > 0 OR lock_count > 0) AND guard_updated_at < ?`,
      [now, idleBefore],
    );
    return r.affected;
  }
}
