import type { TokensService } from '@/tokens/tokens.service';
import type { User } from '@/users/user.entity';

/** The way a customer came to authenticate: Plaid's legacy endpoints or the OAuth pages (docs/oauth.md). */
export type AuthPath = 'legacy' | 'oauth';

/**
 * What a completed authentication gives, and how it is taken back when the password or factors changed
 * while it was being judged: an auth_token on the legacy path, an authorization code on OAuth's. The
 * login and second-factor flows are one for both paths; only the grant differs.
 */
export interface Grant<T> {
  readonly path: AuthPath;
  /** The Plaid client the grant is for; a challenge is answered only by the client that opened it. */
  readonly clientId: string;
  issue(user: User): Promise<T>;
  withdraw(granted: T): Promise<void>;
}

/** The legacy path's grant: an auth_token (docs/api.md#post-usersauth_token), revoked if the login was superseded. */
export function authTokenGrant(tokens: TokensService, clientId: string): Grant<string> {
  return {
    path: 'legacy',
    clientId,
    issue: (user) => tokens.issue(user, clientId),
    withdraw: (token) => tokens.revoke(token),
  };
}
