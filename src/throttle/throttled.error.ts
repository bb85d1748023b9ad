import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import type { ThrottleScope } from './throttle.guard';

/**
 * A request past THROTTLE_PER_ADDRESS or THROTTLE_PER_CLIENT (docs/operations.md#shedding-and-throttling). A PxError, so the
 * legacy endpoints answer it as every 503 (the envelope with retry_at); its own class, so an endpoint with
 * another error format (OAuth's, docs/oauth.md) can render it its way with a filter of its own.
 */
export class ThrottledError extends PxError {
  constructor(
    readonly scope: ThrottleScope,
    retryAt: Date,
  ) {
    super(ErrorId.SERVICE_UNAVAILABLE, 'Too many requests from this client or address; retry shortly.', retryAt);
  }
}
