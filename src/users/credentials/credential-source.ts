import type { CheckClass } from '@/users/check-admission';
import type { CircuitBreaker } from '@/common/resilience/circuit-breaker';
import type { User } from '@/users/user.entity';
import type { GuardKey } from '@/users/lockout/guard-key';

/**
 * What a credential source says of a username and password (docs/credential-sources.md). `valid` carries
 * the pxauth user it maps to (for `local` the user itself; for `http` and `ldap`, the shadow user keyed
 * by the source's stable reference), read before the check, so its auth epoch is the one the
 * password was checked under.
 */
export type CredentialCheck =
  | { result: 'valid'; user: User; reference: string }
  | { result: 'invalid'; user: User | null }
  /** `here`: pxauth's own lock on the person (the source was not asked), not the source's. */
  | { result: 'locked'; user: User | null; here?: true }
  | { result: 'not_allowed'; user: User | null }
  | { result: 'unavailable'; retryAt: Date; reason: string };

export interface LoginAttempt {
  key: GuardKey;
  username: string;
  password: string;
  /** The login's path: whose share of the password checks this one is (CheckAdmission). */
  path: CheckClass;
}

/** Where step 3 of a login checks the password: `local` today; `http` and `ldap` plug in here. */
export interface CredentialSource {
  readonly name: 'local' | 'http' | 'ldap';
  /** The breaker in front of the bank's endpoint or directory; `local` calls nothing and has none. */
  readonly breaker?: CircuitBreaker;
  verify(attempt: LoginAttempt): Promise<CredentialCheck>;
}

export const CREDENTIAL_SOURCE = Symbol('CredentialSource');
