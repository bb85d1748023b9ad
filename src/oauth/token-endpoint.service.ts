import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { TokensService } from '@/tokens/tokens.service';
import { personKey } from '@/users/lockout/guard-key';
import { LockoutService } from '@/users/lockout/lockout.service';
import { UsersService } from '@/users/users.service';
import { IdTokenSigner } from './id-token.signer';
import { OAuthCodes } from './oauth-codes.service';

/** RFC 6749 5.2's errors this endpoint gives (invalid_client is OAuthClientGuard's). */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type',
    readonly description?: string,
  ) {
    super(error);
  }
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token: string;
  refresh_token?: string;
  user_id?: string;
}

type Body = Record<string, unknown>;

/**
 * POST /oauth2/token's two grants (docs/oauth.md): authorization_code (with PKCE when the
 * code has a challenge) and refresh_token, which keeps the refresh token valid (no rotation: Plaid
 * does not store a new one) for as long as the sign-in it came from still stands. Every token lives
 * in the tokens module, beside the legacy auth_tokens.
 */
@Injectable()
export class TokenEndpointService {
  constructor(
    private readonly codes: OAuthCodes,
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly signer: IdTokenSigner,
    private readonly config: AppConfig,
  ) {}

  async grant(clientId: string, body: Body): Promise<TokenAnswer> {
    const type = field(body, 'grant_type');
    if (type === 'authorization_code') return this.exchange(clientId, body);
    if (type === 'refresh_token') return this.refresh(clientId, body);
    throw new OAuthError('unsupported_grant_type');
  }

  private async exchange(clientId: string, body: Body): Promise<TokenAnswer> {
    const code = field(body, 'code');
    // Plaid's example body spells it redirect_url (reference/plaid-exchange-auth.md, "Token Flow").
    const redirectUri = field(body, 'redirect_uri', false) ?? field(body, 'redirect_url');
    const verifier = field(body, 'code_verifier', false);
    const r = await this.codes.redeem(code, clientId, redirectUri, verifier);
    if (!r.ok) throw new OAuthError('invalid_grant', r.reason);
    const user = await this.users.findById(r.code.userId);
    // A password change, factor reset or lock since the sign-in voids the code (as it ends a challenge).
    if (!user || !(await this.users.epochIs(user, r.code.userEpoch))) throw new OAuthError('invalid_grant', 'revoked');
    const grantId = r.code.codeHash;
    const access = await this.tokens.issue(user, clientId, {
      kind: 'access_token',
      ttl: this.config.ACCESS_TOKEN_TTL,
      grantId,
      userEpoch: r.code.userEpoch,
    });
    const refresh = await this.tokens.issue(user, clientId, {
      kind: 'refresh_token',
      ttl: this.config.REFRESH_TOKEN_TTL,
      grantId,
      userEpoch: r.code.userEpoch,
    });
    if (!(await this.codes.confirm(r.code))) throw new OAuthError('invalid_grant', 'reused');
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.floor(this.config.ACCESS_TOKEN_TTL / 1000),
      id_token: await this.signer.sign({
        sub: user.id,
        aud: clientId,
        authTime: r.code.authTime,
        nonce: r.code.nonce,
      }),
      refresh_token: refresh,
      user_id: user.id,
    };
  }

  /**
   * A refresh stands on the sign-in its grant came from. Once the user's auth epoch moved (a password
   * change, a factor reset, a lock) that sign-in no longer vouches for anyone: the grant is revoked
   * and the customer signs in again through Plaid's update mode. While the user is locked, no new
   * access token either. Both are RFC 6749 5.2's invalid_grant ("revoked"), without saying which: the
   * client learns nothing about the account. The lock is asked about as the staff views ask it.
   */
  private async refresh(clientId: string, body: Body): Promise<TokenAnswer> {
    const row = await this.tokens.findLive(field(body, 'refresh_token'), 'refresh_token');
    if (!row || row.clientId !== clientId) throw new OAuthError('invalid_grant');
    const user = await this.users.findById(row.userId);
    if (!user) throw new OAuthError('invalid_grant');
    if (row.userEpoch === null || row.userEpoch !== user.authEpoch) {
      await this.tokens.revokeToken(row, 'auth_epoch_moved');
      throw new OAuthError('invalid_grant', 'revoked');
    }
    if (await this.lockout.isLocked(personKey(user))) throw new OAuthError('invalid_grant', 'locked');
    const access = await this.tokens.issueUnder(row, this.config.ACCESS_TOKEN_TTL);
    if (!access) throw new OAuthError('invalid_grant', 'revoked');
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.floor(this.config.ACCESS_TOKEN_TTL / 1000),
      // auth_time: the refresh token was issued at the exchange, within OAUTH_CODE_TTL of the sign-in.
      id_token: await this.signer.sign({ sub: user.id, aud: clientId, authTime: row.issuedAt }),
    };
  }
}

function field(body: Body, name: string): string;
function field(body: Body, name: string, required: false): string | undefined;
function field(body: Body, name: string, required = true): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length < 1 || v.length > 2048)
    throw new OAuthError('invalid_request', `${name}: must be a single string`);
  return v;
}
