import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { SqlStep, runTransaction } from '@/database/transaction';
import { User } from './user.entity';

/** (institution, normalised username): what a user is unique by, as one string. */
export type UsernameKey = string;

export const usernameKey = (institutionId: string, usernameNorm: string): UsernameKey =>
  `${institutionId}\u0000${usernameNorm}`;

/**
 * The columns a new user is inserted with, the same for every way a user is made (the admin API and
 * the CLI, a KBA enrolment, a shadow user, an import); the lock columns start at their defaults.
 */
const INSERTED: [string, (u: User) => unknown][] = [
  ['id', (u) => u.id],
  ['institution_id', (u) => u.institutionId],
  ['username', (u) => u.username],
  ['username_norm', (u) => u.usernameNorm],
  ['password_hash', (u) => u.passwordHash],
  ['phone', (u) => u.phone],
  ['email', (u) => u.email],
  ['totp_secret', (u) => u.totpSecretSealed],
  ['totp_last_step', (u) => u.totpLastStep],
  ['mfa_preference', (u) => u.mfaPreference],
  ['auth_epoch', (u) => u.authEpoch],
  ['terms_accepted_version', (u) => u.termsAcceptedVersion],
  ['source', (u) => u.source],
  ['reference', (u) => u.reference],
  ['created_at', (u) => u.createdAt],
  ['updated_at', (u) => u.updatedAt],
];
const INSERT_COLUMNS = INSERTED.map(([c]) => c).join(', ');
const INSERT_ROW = `(${INSERTED.map(() => '?').join(', ')})`;
const valuesOf = (u: User) => INSERTED.map(([, v]) => v(u) ?? null);

/** What a search compares: a username prefix (with its escaped LIKE pattern), or an exact id, email or phone. */
export type UserMatch =
  | { prefix: string; like: string; id?: undefined; email?: undefined; phone?: undefined }
  | { id: string; prefix?: undefined; like?: undefined; email?: undefined; phone?: undefined }
  | { email: string; prefix?: undefined; like?: undefined; id?: undefined; phone?: undefined }
  | { phone: string; prefix?: undefined; like?: undefined; id?: undefined; email?: undefined };
/** Where a page of search results stopped. */
export interface UserKey {
  usernameNorm: string;
  id: string;
}
/** Where a page of locks stopped. */
export interface LockKey {
  lockedAt: number;
  id: string;
}

@Injectable()
export class UserRepository {
  private mapper?: RowMapper<User>;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /** Every sendOtp and 2fa, refusals included: one plain SELECT by the primary key, as findByUsername. */
  async findById(id: string): Promise<User | null> {
    const m = (this.mapper ??= rowMapper<User>(this.users.metadata));
    const { rows } = await runSql(this.ds, `SELECT ${m.columns} FROM users WHERE id = ?`, [id]);
    return rows[0] ? m.map(rows[0]) : null;
  }

  /** Every login: one plain indexed SELECT, mapped with the entity's own columns. */
  async findByUsername(institutionId: string, usernameNorm: string): Promise<User | null> {
    const m = (this.mapper ??= rowMapper<User>(this.users.metadata));
    const { rows } = await runSql(
      this.ds,
      `SELECT ${m.columns} FROM users WHERE institution_id = ? AND username_norm = ?`,
      [institutionId, usernameNorm],
    );
    return rows[0] ? m.map(rows[0]) : null;
  }

  findByReference(institutionId: string, source: string, reference: string): Promise<User | null> {
    return this.users.findOneBy({ institutionId, source: source as User['source'], reference });
  }

  /**
   * A shadow user renamed away at the bank leaves its old username to whoever has it now: the row
   * keeps its `user_id` and reference under a name no login can type (it has a space and the id).
   */
  async releaseUsername(institutionId: string, usernameNorm: string, keepId: string): Promise<void> {
    await runSql(
      this.ds,
      `UPDATE users SET username_norm = 'renamed away ' || id, updated_at = ?
       WHERE institution_id = ? AND username_norm = ? AND id <> ? AND source <> 'local'`,
      [Date.now(), institutionId, usernameNorm, keepId],
    );
  }

  /**
   * A local user's new name: one conditional UPDATE, so the unique index on (institution, username_norm)
   * decides between two renames (or a rename and a creation) to the same name; 0 rows for a shadow user.
   */
  async rename(id: string, username: string, usernameNorm: string): Promise<boolean> {
    const r = await runSql(
      this.ds,
      "UPDATE users SET username = ?, username_norm = ?, updated_at = ? WHERE id = ? AND source = 'local'",
      [username, usernameNorm, Date.now(), id],
    );
    return r.affected === 1;
  }

  search(filter: { usernameNorm?: string; institutionId?: string }, limit: number): Promise<User[]> {
    const where: FindOptionsWhere<User> = {};
    if (filter.usernameNorm) where.usernameNorm = filter.usernameNorm;
    if (filter.institutionId) where.institutionId = filter.institutionId;
    return this.users.find({ where, order: { createdAt: 'ASC' }, take: limit });
  }

  /**
   * Makes the user exist: one INSERT, or, with `alongside` (statements of another module that must
   * not be kept without the user, or the user without them), one transaction of all of them. A taken
   * username is a unique violation.
   */
  async insert(user: User, alongside: SqlStep[] = []): Promise<void> {
    const sql = `INSERT INTO users (${INSERT_COLUMNS}) VALUES ${INSERT_ROW}`;
    if (!alongside.length) await runSql(this.ds, sql, valuesOf(user));
    else await runTransaction(this.ds, [{ name: 'user', sql, params: valuesOf(user), affected: 1 }, ...alongside]);
  }

  /**
   * One multi-row INSERT that skips a user whose (institution, username) exists, so two imports of
   * one file at once make each user once; answers the keys of the rows it really inserted (RETURNING,
   * on both engines).
   */
  async insertMissing(users: User[]): Promise<Set<UsernameKey>> {
    const r = await runSql<{ institution_id: string; username_norm: string }>(
      this.ds,
      `INSERT INTO users (${INSERT_COLUMNS}) VALUES ${users.map(() => INSERT_ROW).join(', ')} ` +
        'ON CONFLICT (institution_id, username_norm) DO NOTHING RETURNING institution_id, username_norm',
      users.flatMap(valuesOf),
    );
    return new Set(r.rows.map((u) => usernameKey(u.institution_id, u.username_norm)));
  }

  /** The keys, of users holding one of `usernameNorms` in any institution. */
  async keysHolding(usernameNorms: string[]): Promise<Set<UsernameKey>> {
    const r = await runSql<{ institution_id: string; username_norm: string }>(
      this.ds,
      `SELECT institution_id, username_norm FROM users WHERE username_norm IN (${usernameNorms.map(() => '?').join(', ')})`,
      usernameNorms,
    );
    return new Set(r.rows.map((u) => usernameKey(u.institution_id, u.username_norm)));
  }

  /**
   * One page of the console's search, in (username_norm, id) order after `after`: users whose username
   * starts with `prefix` (a LIKE the index serves, then an exact comparison of the prefix, since LIKE
   * ignores ASCII case on SQLite), or whose email, phone or id is the one given.
   */
  async findPage(match: UserMatch, institutionId: string | undefined, after: UserKey | undefined, limit: number) {
    const m = (this.mapper ??= rowMapper<User>(this.users.metadata));
    const where: string[] = [];
    const params: unknown[] = [];
    if (match.prefix !== undefined) {
      where.push("username_norm LIKE ? ESCAPE '\\'", 'substr(username_norm, 1, ?) = ?');
      params.push(match.like, [...match.prefix].length, match.prefix);
    }
    if (match.id !== undefined) {
      where.push('id = ?');
      params.push(match.id);
    }
    if (match.email !== undefined) {
      where.push('lower(email) = ?');
      params.push(match.email);
    }
    if (match.phone !== undefined) {
      where.push('phone = ?');
      params.push(match.phone);
    }
    if (institutionId !== undefined) {
      where.push('institution_id = ?');
      params.push(institutionId);
    }
    if (after) {
      where.push('(username_norm > ? OR (username_norm = ? AND id > ?))');
      params.push(after.usernameNorm, after.usernameNorm, after.id);
    }
    const { rows } = await runSql(
      this.ds,
      `SELECT ${m.columns} FROM users WHERE ${where.join(' AND ')} ORDER BY username_norm, id LIMIT ?`,
      [...params, limit],
    );
    return rows.map((r) => m.map(r));
  }

  /** Users locked at `now`, the newest lock first, after `after` in (locked_at, id) descending order. */
  async lockedAt(now: number, after: LockKey | undefined, limit: number): Promise<User[]> {
    const m = (this.mapper ??= rowMapper<User>(this.users.metadata));
    const { rows } = await runSql(
      this.ds,
      `SELECT ${m.columns} FROM users WHERE locked_until > ?
       ${after ? 'AND (COALESCE(locked_at, 0) < ? OR (COALESCE(locked_at, 0) = ? AND id < ?))' : ''}
       ORDER BY COALESCE(locked_at, 0) DESC, id DESC LIMIT ?`,
      after ? [now, after.lockedAt, after.lockedAt, after.id, limit] : [now, limit],
    );
    return rows.map((r) => m.map(r));
  }

  async update(id: string, patch: Partial<User>): Promise<void> {
    await this.users.update({ id }, { ...patch, updatedAt: Date.now() });
  }

  /** Changes the user and moves the auth epoch on in one statement: what began before it ends. */
  async updateAndMoveEpoch(id: string, patch: Partial<User>): Promise<void> {
    await this.users.update({ id }, { ...patch, authEpoch: () => 'auth_epoch + 1', updatedAt: Date.now() });
  }

  async moveEpochByKey(institutionId: string, usernameNorm: string): Promise<void> {
    await runSql(
      this.ds,
      'UPDATE users SET auth_epoch = auth_epoch + 1 WHERE institution_id = ? AND username_norm = ?',
      [institutionId, usernameNorm],
    );
  }

  /**
   * Swaps a password hash for a stronger one of the same password, only if it is still `from`: one
   * conditional UPDATE, so two replicas upgrading at once, or a password change in between, are safe.
   * The auth epoch stays: the password did not change.
   */
  async replacePasswordHash(id: string, from: string, to: string): Promise<boolean> {
    const r = await runSql(this.ds, 'UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', [
      to,
      id,
      from,
    ]);
    return r.affected === 1;
  }

  /** Whether the user's auth epoch is still `epoch`: nothing ended what was begun under it. */
  async epochIs(id: string, epoch: number): Promise<boolean> {
    const r = await runSql(this.ds, 'SELECT 1 AS ok FROM users WHERE id = ? AND auth_epoch = ?', [id, epoch]);
    return r.rows.length === 1;
  }

  /** Accepts a TOTP time step once per user (RFC 6238 section 5.2): false for a replayed step. */
  async claimTotpStep(id: string, step: number): Promise<boolean> {
    const r = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ totpLastStep: step })
      .where('id = :id', { id })
      .andWhere('(totp_last_step IS NULL OR totp_last_step < :step)', { step })
      .execute();
    return r.affected === 1;
  }

  /** Users with a TOTP secret, by id after `afterId`: a batch of the key re-encryption. */
  totpSecretsAfter(afterId: string, limit: number): Promise<Pick<User, 'id' | 'totpSecretSealed'>[]> {
    return this.users
      .createQueryBuilder('u')
      .select(['u.id', 'u.totpSecretSealed'])
      .where('u.id > :afterId', { afterId })
      .andWhere('u.totp_secret IS NOT NULL')
      .orderBy('u.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Replaces a sealed TOTP secret only if it is still `expected`: a re-enrolment meanwhile wins. */
  async replaceTotpSecret(id: string, expected: string, next: string): Promise<boolean> {
    const r = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ totpSecretSealed: next })
      .where('id = :id', { id })
      .andWhere('totp_secret = :expected', { expected })
      .execute();
    return r.affected === 1;
  }
}
