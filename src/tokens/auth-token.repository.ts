import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { SqlStep, TransactionAborted, runTransaction } from '@/database/transaction';
import { AuthToken } from './auth-token.entity';

/** The row of a token about to be issued; its hash only, never the token. */
export type NewToken = Omit<AuthToken, 'revokedAt'>;

/** Which tokens a revocation takes: one token, every token of a grant, or every token of a user. */
export type TokenMatch = { id: string } | { grantId: string } | { userId: string };

/**
 * auth_token's statements. The hot ones (insert, lookup by digest) are plain SQL: on the login's path
 * the ORM's query building cost more than the statement (BENCHMARKS.md).
 */
@Injectable()
export class AuthTokenRepository {
  private readonly rows: RowMapper<AuthToken>;

  constructor(@InjectRepository(AuthToken) private readonly tokens: Repository<AuthToken>) {
    this.rows = rowMapper<AuthToken>(tokens.metadata);
  }

  async insert(t: NewToken): Promise<void> {
    const step = insertStep(t);
    await runSql(this.tokens.manager.connection, step.sql, step.params);
  }

  /**
   * Inserts `t` in one transaction that first locks the refresh token `refreshId` while checking it is
   * live (unrevoked, unexpired at `now`); false, and nothing inserted, when it is not.
   */
  async insertUnderLiveRefresh(refreshId: string, now: number, t: NewToken): Promise<boolean> {
    const live: SqlStep = {
      name: 'refresh_token_live',
      sql: `SELECT id FROM auth_token WHERE id = ? AND kind = 'refresh_token' AND revoked_at IS NULL AND expires_at > ?`,
      params: [refreshId, now],
      lock: true,
      rows: 1,
    };
    try {
      await runTransaction(this.tokens.manager.connection, [live, { ...insertStep(t), affected: 1 }]);
      return true;
    } catch (err) {
      if (err instanceof TransactionAborted && err.step === live.name) return false;
      throw err;
    }
  }

  async findByHash(tokenHash: string): Promise<AuthToken | null> {
    const { rows } = await runSql(
      this.tokens.manager.connection,
      `SELECT ${this.rows.columns} FROM auth_token WHERE token_hash = ?`,
      [tokenHash],
    );
    return rows.length ? this.rows.map(rows[0]) : null;
  }

  /** Revokes the live refresh tokens `match` selects; answers how many. */
  async revokeLiveRefreshTokens(match: TokenMatch, now: number): Promise<number> {
    const [where, param] = whereOf(match);
    const r = await runSql(
      this.tokens.manager.connection,
      `UPDATE auth_token SET revoked_at = ? WHERE ${where} AND kind = 'refresh_token' AND revoked_at IS NULL`,
      [now, param],
    );
    return r.affected;
  }

  /** Revokes every live token `match` selects; answers how many. */
  async revokeLive(match: TokenMatch, now: number): Promise<number> {
    const [where, param] = whereOf(match);
    const r = await runSql(
      this.tokens.manager.connection,
      `UPDATE auth_token SET revoked_at = ? WHERE ${where} AND revoked_at IS NULL`,
      [now, param],
    );
    return r.affected;
  }

  async deleteExpiredBefore(before: number): Promise<number> {
    return (await this.tokens.delete({ expiresAt: LessThan(before) })).affected ?? 0;
  }

  async deleteRevokedBefore(before: number): Promise<number> {
    return (await this.tokens.delete({ revokedAt: LessThan(before) })).affected ?? 0;
  }

  /** The user's unrevoked tokens unexpired at `now`, newest first. */
  liveFor(userId: string, now: number, limit: number): Promise<AuthToken[]> {
    return this.tokens.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { issuedAt: 'DESC' },
      take: limit,
    });
  }
}

function insertStep(t: NewToken): SqlStep {
  return {
    name: 'insert_token',
    sql: `INSERT INTO auth_token (id, token_hash, user_id, client_id, institution_id, issued_at, expires_at,
            revoked_at, kind, grant_id, user_epoch)
          VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
    params: [
      t.id,
      t.tokenHash,
      t.userId,
      t.clientId,
      t.institutionId,
      t.issuedAt,
      t.expiresAt,
      t.kind,
      t.grantId,
      t.userEpoch,
    ],
  };
}

/** The WHERE of a match, from a closed set of columns: nothing a caller gives becomes SQL. */
function whereOf(match: TokenMatch): [string, string] {
  if ('id' in match) return ['id = ?', match.id];
  if ('grantId' in match) return ['grant_id = ?', match.grantId];
  return ['user_id = ?', match.userId];
}
