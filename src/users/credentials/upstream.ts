import { Logger } from '@nestjs/common';
import type { CredentialCheck } from './credential-source';
import { CircuitBreaker } from '@/common/resilience/circuit-breaker';

/** Why an upstream could not answer: the audit event's `reason`, never a credential or an answer body. */
export const UPSTREAM_TROUBLES = [
  'breaker_open',
  'timeout',
  'unreachable',
  'tls',
  'bad_status',
  'malformed',
  'directory_error',
  'busy',
] as const;
export type UpstreamTrouble = (typeof UPSTREAM_TROUBLES)[number];

/** The bank's system failed to answer; a 503, never a 401 (docs/credential-sources.md). */
export class UpstreamFailure extends Error {
  constructor(
    readonly reason: UpstreamTrouble,
    readonly detail?: string,
  ) {
    super(`credential source: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

const log = new Logger('CredentialSource');

// A single failure asks Plaid to retry soon; an open breaker says when it lets a call through.
const RETRY_AFTER_FAILURE_MS = 5_000;

export type Unavailable = Extract<CredentialCheck, { result: 'unavailable' }>;

/**
 * Runs one upstream call under the breaker: an UpstreamFailure, or the breaker being open, is the
 * `unavailable` check; whatever the upstream answered closes the breaker. Other errors (a bug) travel on.
 */
export async function throughBreaker<T>(breaker: CircuitBreaker, call: () => Promise<T>): Promise<T | Unavailable> {
  const admitted = breaker.admit();
  if (!admitted.ok) return { result: 'unavailable', retryAt: admitted.retryAt, reason: 'breaker_open' };
  try {
    const answer = await call();
    breaker.succeeded();
    return answer;
  } catch (err) {
    if (!(err instanceof UpstreamFailure)) {
      breaker.abandoned();
      throw err;
    }
    breaker.failed();
    log.warn({ reason: err.reason, detail: err.detail, breaker_open: breaker.open }, 'credential source unavailable');
    const next = breaker.admit();
    const retryAt = next.ok ? new Date(Date.now() + RETRY_AFTER_FAILURE_MS) : next.retryAt;
    return { result: 'unavailable', retryAt, reason: err.reason };
  }
}

export const isUnavailable = (x: unknown): x is Unavailable =>
  typeof x === 'object' && x !== null && (x as { result?: unknown }).result === 'unavailable';
