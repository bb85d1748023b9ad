import { PxError } from '@/common/errors/px.error';

// An attempt in flight is judged within a password check or two: worth retrying about this soon.
const RETRY_AFTER_IN_FLIGHT_MS = 2_000;

/**
 * Every remaining attempt of the user is being judged right now and the account is not locked
 * (PRODUCT.md section 13): 503 with a retry_at, never 403, since no lock exists to report.
 */
export function attemptsInFlight(): PxError {
  return PxError.unavailable(
    new Date(Date.now() + RETRY_AFTER_IN_FLIGHT_MS),
    'Too many attempts for this account are in progress; retry shortly.',
  );
}
