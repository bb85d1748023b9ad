import type { User } from '@/users/user.entity';

/** The way a customer came to authenticate: Plaid's legacy endpoints or the OAuth pages (PRODUCT.md 14). */
export type AuthPath = 'legacy' | 'oauth';

/**
 * What a completed authentication gives, and how it is taken back when the password or factors changed
 * while it was being judged: an auth_token on the legacy path, an authorization code on OAuth's. The
 * login and second-factor flows are one for both paths; only the grant differs.
 */
export interface Grant<T> {
  readonly path: AuthPath;
  issue(user: User): Promise<T>;
  withdraw(granted: T): Promise<void>;
}
