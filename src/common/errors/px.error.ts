import { ErrorId, defaultMessage, statusOf } from './error-id';

/** The one exception type of the domain: an error id, a safe message, and for 503 a retry time. */
export class PxError extends Error {
  readonly status: number;
  constructor(
    readonly id: ErrorId,
    message?: string,
    readonly retryAt?: Date,
  ) {
    super(message ?? defaultMessage(id));
    this.status = statusOf(id);
  }

  static unavailable(retryAt: Date, message?: string): PxError {
    return new PxError(ErrorId.SERVICE_UNAVAILABLE, message, retryAt);
  }

  static invalid(message: string): PxError {
    return new PxError(ErrorId.INVALID_REQUEST, message);
  }

  /** Whole seconds until retry_at, at least 1: the Retry-After header (RFC 9110 10.2.3). */
  retryAfterSeconds(now = Date.now()): number {
    return Math.max(1, Math.ceil(((this.retryAt?.getTime() ?? now) - now) / 1000));
  }
}
