import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { CommonOutcome } from '@/events/domain-event';
import type { AttemptRefused } from '@/users/lockout/lockout.service';

// An attempt in flight is judged within a password check or two: worth retrying about this soon.
const RETRY_AFTER_IN_FLIGHT_MS = 2_000;

/**
 * Every remaining attempt of the user is being judged right now and the account is not locked
 * (docs/operations.md#shedding-and-throttling): 503 with a retry_at, never 403, since no lock exists to report.
 */
export function attemptsInFlight(): PxError {
  return PxError.unavailable(new Date(Date.now() + RETRY_AFTER_IN_FLIGHT_MS), apiText('unavailable.inFlight'));
}

/** An attempt refused, as a login and a second-factor answer report it: the outcome and the error. */
export function attemptRefused(why: AttemptRefused): [CommonOutcome, PxError] {
  if (why === 'locked') return [CommonOutcome.Locked, new PxError(ErrorId.ACCOUNT_LOCKED)];
  return [CommonOutcome.AttemptsInFlight, attemptsInFlight()];
}
