import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { randomToken, sha256 } from '@/common/crypto/digest';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { SqlStep, TransactionAborted, runTransaction } from '@/database/transaction';
import { AuthToken, TokenKind } from './auth-token.entity';

/** OAuth's tokens (docs/oauth.md): their kind, lifetime, the code they came from and its epoch. */
export interface TokenOptions {
  kind?: TokenKind;
  ttl?: number;
  grantId?: string | null;
  /** The user's auth epoch when the grant's sign-in began; a refresh is refused once it has moved. */
  userEpoch?: number | null;
}

/** Whom a token is for: a user id and its institution; tokens read nothing else of a user. */
export interface TokenSubject {
  id: string;
  institutionId: string;
}

export type Introspection =
  | { active: false }
  | {
      active: true;
      /** RFC 7662's subject: the user_id, as PRODUCT.md section 8 says. */
      sub: string;
      user_id: string;
      client_id: string;
      institution_id: string;
      /** Bearer for what opens the data API (auth_token, access_token); refresh_token for what only refreshes. */
      token_type: 'Bearer' | 'refresh_token';
      iat: number;
      exp: number;
    };

/**
 * auth_tokens: 256 random bits in base64url, only their SHA-256 at rest, living AUTH_TOKEN_TTL
 * unless revoked (PRODUCT.md sections 4 and 8). Lookup is by digest, which is constant-time in
 * effect: an attacker cannot steer the digest of what they send.
 */
@Injectable()
export class TokensService {
  private readonly rows: RowMapper<AuthToken>;

  constructor(
    @InjectRepository(AuthToken) private readonly tokens: Repository<AuthToken>,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
  ) {
    this.rows = rowMapper<AuthToken>(tokens.metadata);
  }

  async issue(user: TokenSubject, clientId: string, opts: TokenOptions = {}): Promise<string> {
    const { token, step } = this.newToken(user, clientId, opts);
    // Plain SQL on the login's hot path: the ORM's query building cost more than the insert (BENCHMARKS.md).
    await runSql(this.tokens.manager.connection, step.sql, step.params);
    await this.issued(user, clientId, opts.kind ?? 'auth_token');
    return token;
  }

  /**
   * A new access token under a refresh token's grant, or null when that refresh token is no longer live.
   * One transaction: the refresh token's row is locked while it is checked and the access token
   * inserted, so a revocation that runs meanwhile waits for it, and then finds the new access token
   * (revokeMatching revokes the refresh tokens first for that reason). Without the lock, PostgreSQL
   * could revoke the grant from a snapshot taken before the insert and leave the new token working.
   */
  async issueUnder(refresh: AuthToken, ttl: number): Promise<string | null> {
    const subject = { id: refresh.userId, institutionId: refresh.institutionId };
    const opts = { kind: 'access_token' as const, ttl, grantId: refresh.grantId, userEpoch: refresh.userEpoch };
    const { token, step } = this.newToken(subject, refresh.clientId, opts);
    const live: SqlStep = {
      name: 'refresh_token_live',
      sql: `SELECT id FROM auth_token WHERE id = ? AND kind = 'refresh_token' AND revoked_at IS NULL AND expires_at > ?`,
      params: [refresh.id, Date.now()],
      lock: true,
      rows: 1,
    };
    try {
      await runTransaction(this.tokens.manager.connection, [live, { ...step, affected: 1 }]);
    } catch (err) {
      if (err instanceof TransactionAborted && err.step === live.name) return null;
      throw err;
    }
    await this.issued(subject, refresh.clientId, opts.kind);
    return token;
  }

  private newToken(user: TokenSubject, clientId: string, opts: TokenOptions): { token: string; step: SqlStep } {
    const token = randomToken(32);
    const now = Date.now();
    return {
      token,
      step: {
        name: 'insert_token',
        sql: `INSERT INTO auth_token (id, token_hash, user_id, client_id, institution_id, issued_at, expires_at,
                revoked_at, kind, grant_id, user_epoch)
              VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
        params: [
          randomToken(12),
          sha256(token),
          user.id,
          clientId,
          user.institutionId,
          now,
          now + (opts.ttl ?? this.config.AUTH_TOKEN_TTL),
          opts.kind ?? 'auth_token',
          opts.grantId ?? null,
          opts.userEpoch ?? null,
        ],
      },
    };
  }

  private issued(user: TokenSubject, clientId: string, kind: TokenKind): Promise<void> {
    return this.events.publish({
      type: EventType.TokenIssue,
      outcome: StaffOutcome.Issued,
      userId: user.id,
      institutionId: user.institutionId,
      clientId,
      detail: kind === 'auth_token' ? undefined : { kind },
    });
  }

  /** RFC 7662: anything unknown, expired, revoked, or not `userId`'s is just `active: false`. */
  async introspect(token: string, userId?: string): Promise<Introspection> {
    const row = await this.findLive(token);
    if (!row || (userId !== undefined && userId !== row.userId)) return { active: false };
    return {
      active: true,
      sub: row.userId,
      user_id: row.userId,
      client_id: row.clientId,
      institution_id: row.institutionId,
      token_type: row.kind === 'refresh_token' ? 'refresh_token' : 'Bearer',
      iat: Math.floor(row.issuedAt / 1000),
      exp: Math.floor(row.expiresAt / 1000),
    };
  }

  /**
   * The token's row if it is known, unexpired and unrevoked (of `kind`, when given); else null. The data
   * API introspects on every request: one indexed lookup by digest in plain SQL, read from the database
   * each time, so a revoke on any replica is seen at once.
   */
  async findLive(token: string, kind?: TokenKind): Promise<AuthToken | null> {
    const { rows } = await runSql(
      this.tokens.manager.connection,
      `SELECT ${this.rows.columns} FROM auth_token WHERE token_hash = ?`,
      [sha256(token)],
    );
    const row = rows.length ? this.rows.map(rows[0]) : null;
    if (!row || row.revokedAt !== null || row.expiresAt <= Date.now() || (kind && row.kind !== kind)) return null;
    return row;
  }

  /** Everything issued from one authorization code: its second use revokes them (RFC 6749 10.5). */
  async revokeGrant(grantId: string, reason: string, userId: string): Promise<number> {
    const count = await this.revokeMatching('grant_id = ?', [grantId]);
    if (count)
      await this.events.publish({
        type: EventType.TokenRevoke,
        outcome: StaffOutcome.Revoked,
        userId,
        detail: { count, reason },
      });
    return count;
  }

  /** RFC 7009: the same answer whether or not the token existed. */
  async revoke(token: string): Promise<void> {
    const row = await this.tokens.findOneBy({ tokenHash: sha256(token) });
    if (row) await this.revokeToken(row);
  }

  /**
   * One token; a refresh token takes the access tokens of its grant with it (RFC 7009 section 2.1),
   * while an access token or an auth_token goes alone. `reason` when pxauth revokes on its own.
   */
  async revokeToken(row: AuthToken, reason?: string): Promise<number> {
    const count =
      row.kind === 'refresh_token' && row.grantId !== null
        ? await this.revokeMatching('grant_id = ?', [row.grantId])
        : await this.revokeMatching('id = ?', [row.id]);
    if (count)
      await this.events.publish({
        type: EventType.TokenRevoke,
        outcome: StaffOutcome.Revoked,
        userId: row.userId,
        institutionId: row.institutionId,
        detail: reason ? { count, reason } : { count },
      });
    return count;
  }

  /**
   * Revokes the live tokens that `where` selects, in two statements, the refresh tokens first: that one
   * waits for a refresh holding a refresh token's row (issueUnder), and the second, a statement of its
   * own, then sees the access token that refresh inserted. Each statement is atomic on its own.
   */
  private async revokeMatching(where: string, params: unknown[]): Promise<number> {
    const db = this.tokens.manager.connection;
    const now = Date.now();
    const refresh = await runSql(
      db,
      `UPDATE auth_token SET revoked_at = ? WHERE ${where} AND kind = 'refresh_token' AND revoked_at IS NULL`,
      [now, ...params],
    );
    const rest = await runSql(db, `UPDATE auth_token SET revoked_at = ? WHERE ${where} AND revoked_at IS NULL`, [
      now,
      ...params,
    ]);
    return refresh.affected + rest.affected;
  }

  /** Tokens expired or revoked more than `retentionMs` ago: introspection answers inactive either way. */
  async purgeDead(retentionMs: number): Promise<number> {
    const before = Date.now() - retentionMs;
    const expired = await this.tokens.delete({ expiresAt: LessThan(before) });
    const revoked = await this.tokens.delete({ revokedAt: LessThan(before) });
    return (expired.affected ?? 0) + (revoked.affected ?? 0);
  }

  /** A password change, or support revoking access: every live token of the user stops working. */
  async revokeAllFor(user: TokenSubject, reason: string): Promise<number> {
    const count = await this.revokeMatching('user_id = ?', [user.id]);
    await this.events.publish({
      type: EventType.TokenRevoke,
      outcome: StaffOutcome.Revoked,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { count, reason },
    });
    return count;
  }

  /** The user's tokens that still work (issue 9: support staff see what Plaid holds), newest first. */
  async activeFor(userId: string): Promise<ActiveToken[]> {
    const rows = await this.tokens.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(Date.now()) },
      order: { issuedAt: 'DESC' },
      take: 100,
    });
    return rows.map((r) => ({
      id: r.id,
      client_id: r.clientId,
      issued_at: new Date(r.issuedAt).toISOString(),
      expires_at: new Date(r.expiresAt).toISOString(),
    }));
  }
}

/** A live token as staff see it: never the token, never its digest. */
export interface ActiveToken {
  id: string;
  client_id: string;
  issued_at: string;
  expires_at: string;
}
