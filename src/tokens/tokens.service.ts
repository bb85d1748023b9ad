import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Repository } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { randomToken, sha256 } from '@/common/crypto/digest';
import { runSql } from '@/database/sql';
import type { User } from '@/users/user.entity';
import { AuthToken } from './auth-token.entity';

export type Introspection =
  | { active: false }
  | {
      active: true;
      /** RFC 7662's subject: the user_id, as PRODUCT.md section 8 says. */
      sub: string;
      user_id: string;
      client_id: string;
      institution_id: string;
      token_type: 'Bearer';
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
  constructor(
    @InjectRepository(AuthToken) private readonly tokens: Repository<AuthToken>,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
  ) {}

  async issue(user: User, clientId: string): Promise<string> {
    const token = randomToken(32);
    const now = Date.now();
    await runSql(
      this.tokens.manager.connection,
      `INSERT INTO auth_token (id, token_hash, user_id, client_id, institution_id, issued_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      [randomToken(12), sha256(token), user.id, clientId, user.institutionId, now, now + this.config.AUTH_TOKEN_TTL],
    );
    await this.events.publish({
      type: EventType.TokenIssue,
      outcome: StaffOutcome.Issued,
      userId: user.id,
      institutionId: user.institutionId,
      clientId,
    });
    return token;
  }

  /** RFC 7662: anything unknown, expired, revoked, or not `userId`'s is just `active: false`. */
  async introspect(token: string, userId?: string): Promise<Introspection> {
    const row = await this.byHash(sha256(token));
    if (
      !row ||
      row.revokedAt !== null ||
      row.expiresAt <= Date.now() ||
      (userId !== undefined && userId !== row.userId)
    )
      return { active: false };
    return {
      active: true,
      sub: row.userId,
      user_id: row.userId,
      client_id: row.clientId,
      institution_id: row.institutionId,
      token_type: 'Bearer',
      iat: Math.floor(row.issuedAt / 1000),
      exp: Math.floor(row.expiresAt / 1000),
    };
  }

  /**
   * The data API calls introspection on every request: one indexed lookup by digest in plain SQL (the
   * ORM's query building cost more than the query), read from the database each time, so a revoke on
   * any replica is seen at once.
   */
  private async byHash(
    tokenHash: string,
  ): Promise<Pick<AuthToken, 'userId' | 'clientId' | 'institutionId' | 'issuedAt' | 'expiresAt' | 'revokedAt'> | null> {
    const { rows } = await runSql<Record<string, string | number | null>>(
      this.tokens.manager.connection,
      `SELECT user_id, client_id, institution_id, issued_at, expires_at, revoked_at FROM auth_token WHERE token_hash = ?`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      userId: String(r.user_id),
      clientId: String(r.client_id),
      institutionId: String(r.institution_id),
      issuedAt: Number(r.issued_at),
      expiresAt: Number(r.expires_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    };
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
  async revokeAllFor(user: User, reason: string): Promise<number> {
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
}
