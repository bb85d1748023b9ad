import { createHash } from 'node:crypto';
import { safeEqual } from '@/common/crypto/digest';

/** An S256 code_challenge: base64url of a SHA-256, 43 characters (RFC 7636 4.2). */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** A code_verifier: 43 to 128 unreserved characters (RFC 7636 4.1). */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * Whether `verifier` answers the code's `challenge` (S256 only; `plain` is refused at the authorize
 * step). A code issued without a challenge takes no verifier: one sent anyway is a downgrade attempt.
 */
export function pkceHolds(challenge: string | null, verifier: string | undefined): boolean {
  if (challenge === null) return verifier === undefined;
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  return safeEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}
