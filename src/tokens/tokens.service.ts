import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { randomToken, sha256 } from '@/common/crypto/digest';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { AuthToken, TokenKind } from './auth-token.entity';

/** OAuth's tokens (PRODUCT.md section 14): their kind, lifetime and the code they came from. */
export interface TokenOptions {
  kind?: TokenKind;
  ttl?: number;
  grantId?: string | null;
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
    const token = randomToken(32);
    const now = Date.now();
    const kind = opts.kind ?? 'auth_token';
    // Plain SQL on the login's hot path: the ORM's query building cost more than the insert (issue 10).
    await runSql(
      this.tokens.manager.connection,
      `INSERT INTO auth_token (id, token_hash, user_id, client_id, institution_id, issued_at, expires_at, revoked_at,
         kind, grant_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      [
        randomToken(12),
        sha256(token),
        user.id,
        clientId,
        user.institutionId,
        now,
        now + (opts.ttl ?? this.config.AUTH_TOKEN_TTL),
        kind,
        opts.grantId ?? null,
      ],
    );
    await this.events.publish({
      type: EventType.TokenIssue,
      outcome: StaffOutcome.Issued,
      userId: user.id,
      institutionId: user.institutionId,
      clientId,
      detail: kind === 'auth_token' ? undefined : { kind },
    });
    return token;
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
    const r = await this.tokens.update({ grantId, revokedAt: IsNull() }, { revokedAt: Date.now() });
    const count = r.affected ?? 0;
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
    if (!row) return;
    const r = await this.tokens.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: Date.now() });
    if (r.affected)
      await this.events.publish({
        type: EventType.TokenRevoke,
        outcome: StaffOutcome.Revoked,
        userId: row.userId,
        institutionId: row.institutionId,
        detail: { count: 1 },
      });
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
    const r = await this.tokens.update({ userId: user.id, revokedAt: IsNull() }, { revokedAt: Date.now() });
    const count = r.affected ?? 0;
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
