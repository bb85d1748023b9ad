import { Injectable } from '@nestjs/common';
import { randomToken, sha256 } from '@/common/crypto/digest';
import { AppConfig } from '@/config/app-config';
import { TokensService } from '@/tokens/tokens.service';
import type { User } from '@/users/user.entity';
import { OAuthCode } from './oauth-code.entity';
import { OAuthCodeRepository } from './oauth-code.repository';
import { pkceHolds } from './pkce';

/** What a code is bound to (docs/oauth.md). */
export interface CodeBinding {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  nonce: string | null;
}

/** A code redeemed by its client, or why not: every refusal is RFC 6749's invalid_grant. */
export type Redemption = { ok: true; code: OAuthCode } | { ok: false; reason: string };

/**
 * Authorization codes: 256 random bits, only the SHA-256 kept, living OAUTH_CODE_TTL, spent by one
 * conditional UPDATE so that of two exchanges at once one wins; a second use revokes what the first
 * issued (RFC 6749 4.1.2 and 10.5). The code's hash is the grant id of the tokens it gave.
 */
@Injectable()
export class OAuthCodes {
  constructor(
    private readonly codes: OAuthCodeRepository,
    private readonly tokens: TokensService,
    private readonly config: AppConfig,
  ) {}

  async issue(binding: CodeBinding, user: User): Promise<string> {
    const code = randomToken(32);
    const now = Date.now();
    await this.codes.insert({
      codeHash: sha256(code),
      ...binding,
      userId: user.id,
      userEpoch: user.authEpoch,
      authTime: now,
      expiresAt: now + this.config.OAUTH_CODE_TTL,
      usedAt: null,
      reusedAt: null,
    });
    return code;
  }

  /** The sign-in was superseded (a password change while it was judged): the code never works. */
  async withdraw(code: string): Promise<void> {
    await this.codes.markUsed(sha256(code), Date.now());
  }

  async redeem(code: string, clientId: string, redirectUri: string, verifier: string | undefined): Promise<Redemption> {
    const hash = sha256(code);
    const row = await this.codes.findByHash(hash);
    if (!row || row.clientId !== clientId) return { ok: false, reason: 'unknown_code' };
    const now = Date.now();
    if (!(await this.codes.spend(hash, now))) {
      if (row.expiresAt <= now && row.usedAt === null) return { ok: false, reason: 'expired' };
      // A second use: refused, and what the first use got is revoked, now or, if it is still being
      // issued, by that exchange itself when it sees reused_at (confirm()).
      await this.codes.markReused(hash, now);
      await this.tokens.revokeGrant(hash, 'code_reuse', row.userId);
      return { ok: false, reason: 'reused' };
    }
    if (row.redirectUri !== redirectUri) return { ok: false, reason: 'redirect_uri_mismatch' };
    if (!pkceHolds(row.codeChallenge, verifier)) return { ok: false, reason: 'pkce_failed' };
    return { ok: true, code: row };
  }

  /** After the tokens are issued: false if the code was reused meanwhile (they are then revoked). */
  async confirm(row: OAuthCode): Promise<boolean> {
    const now = await this.codes.findByHash(row.codeHash);
    if (now?.reusedAt === null) return true;
    await this.tokens.revokeGrant(row.codeHash, 'code_reuse', row.userId);
    return false;
  }

  /** Codes are short-lived: an hour after expiry they are gone. */
  async purgeExpired(): Promise<number> {
    return this.codes.deleteExpiredBefore(Date.now() - 3_600_000);
  }
}
