import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { randomToken, sha256 } from '@/common/crypto/digest';
import { AuthToken, TokenKind } from './auth-token.entity';
import { AuthTokenRepository, NewToken, TokenMatch } from './auth-token.repository';

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
      /** RFC 7662's subject: the user_id, as docs/api.md#tokens-for-the-banks-data-api says. */
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
 * unless revoked (docs/api.md#post-usersauth_token and docs/api.md#tokens-for-the-banks-data-api). Lookup is by digest, which is constant-time in
 * effect: an attacker cannot steer the digest of what they send.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly repo: AuthTokenRepository,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
  ) {}

  async issue(user: TokenSubject, clientId: string, opts: TokenOptions = {}): Promise<string> {
    const { token, row } = this.newToken(user, clientId, opts);
    await this.repo.insert(row);
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
    const { token, row } = this.newToken(subject, refresh.clientId, opts);
    if (!(await this.repo.insertUnderLiveRefresh(refresh.id, Date.now(), row))) return null;
    await this.issued(subject, refresh.clientId, opts.kind);
    return token;
  }

  private newToken(user: TokenSubject, clientId: string, opts: TokenOptions): { token: string; row: NewToken } {
    const token = randomToken(32);
    const now = Date.now();
    return {
      token,
      row: {
        id: randomToken(12),
        tokenHash: sha256(token),
        userId: user.id,
        clientId,
        institutionId: user.institutionId,
        issuedAt: now,
        expiresAt: now + (opts.ttl ?? this.config.AUTH_TOKEN_TTL),
        kind: opts.kind ?? 'auth_token',
        grantId: opts.grantId ?? null,
        userEpoch: opts.userEpoch ?? null,
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
    const row = await this.repo.findByHash(sha256(token));
    if (!row || row.revokedAt !== null || row.expiresAt <= Date.now() || (kind && row.kind !== kind)) return null;
    return row;
  }

  /** Everything issued from one authorization code: its second use revokes them (RFC 6749 10.5). */
  async revokeGrant(grantId: string, reason: string, userId: string): Promise<number> {
    const count = await this.revokeMatching({ grantId });
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
    const row = await this.repo.findByHash(sha256(token));
    if (row) await this.revokeToken(row);
  }

  /**
   * One token; a refresh token takes the access tokens of its grant with it (RFC 7009 section 2.1),
   * while an access token or an auth_token goes alone. `reason` when pxauth revokes on its own.
   */
  async revokeToken(row: AuthToken, reason?: string): Promise<number> {
    const count =
      row.kind === 'refresh_token' && row.grantId !== null
        ? await this.revokeMatching({ grantId: row.grantId })
        : await this.revokeMatching({ id: row.id });
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
  private async revokeMatching(match: TokenMatch): Promise<number> {
    const now = Date.now();
    const refresh = await this.repo.revokeLiveRefreshTokens(match, now);
    return refresh + (await this.repo.revokeLive(match, now));
  }

  /** Tokens expired or revoked more than `retentionMs` ago: introspection answers inactive either way. */
  async purgeDead(retentionMs: number): Promise<number> {
    const before = Date.now() - retentionMs;
    const expired = await this.repo.deleteExpiredBefore(before);
    return expired + (await this.repo.deleteRevokedBefore(before));
  }

  /** A password change, or support revoking access: every live token of the user stops working. */
  async revokeAllFor(user: TokenSubject, reason: string): Promise<number> {
    const count = await this.revokeMatching({ userId: user.id });
    await this.events.publish({
      type: EventType.TokenRevoke,
      outcome: StaffOutcome.Revoked,
      userId: user.id,
      institutionId: user.institutionId,
      detail: { count, reason },
    });
    return count;
  }

  /** The user's tokens that still work (support staff see what Plaid holds), newest first. */
  async activeFor(userId: string): Promise<ActiveToken[]> {
    const rows = await this.repo.liveFor(userId, Date.now(), 100);
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
