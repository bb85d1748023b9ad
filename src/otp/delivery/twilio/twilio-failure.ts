import type { DeliveryResult } from '@/otp/delivery/otp-delivery-channel';

/**
 * Twilio's refusals of the destination itself (docs/passcode-delivery.md): 21211 invalid 'To' number,
 * 21610 the recipient replied STOP, 21614 not a mobile number. Another send to it cannot succeed, so
 * the method is refused for the rest of the challenge and Plaid can offer another.
 */
export const PERMANENT_TWILIO_CODES = new Set([21211, 21610, 21614]);

interface TwilioLikeError {
  status?: number;
  code?: number | string;
}

/**
 * What a failed Twilio call means for the login. Only the status and Twilio's numeric code are kept:
 * Twilio's message quotes the number, and no message of it reaches a log or an audit event.
 */
export function twilioFailure(err: unknown, signal: AbortSignal): Extract<DeliveryResult, { reason: string }> {
  if (signal.aborted) return { status: 'transient', reason: 'timeout' };
  const e = (err ?? {}) as TwilioLikeError;
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const providerCode = String(code ?? e.status);
    if (code !== undefined && PERMANENT_TWILIO_CODES.has(code))
      return { status: 'permanent', reason: 'refused', providerCode };
    if (e.status === 429) return { status: 'transient', reason: 'rate_limited', providerCode };
    if (e.status >= 500) return { status: 'transient', reason: 'provider_error', providerCode };
    // Any other 4xx (bad credentials 20003, a sender not ours 21606…) is our configuration, not the
    // user's number: a 503 for this login, and an error line for the operator (see the channel).
    return { status: 'transient', reason: 'rejected', providerCode };
  }
  // No HTTP answer: refused connection, reset, DNS. Node's code says which, and nothing else is kept.
  const code = typeof e.code === 'string' && /^[A-Z_]{2,32}$/.test(e.code) ? e.code : undefined;
  return { status: 'transient', reason: 'unreachable', ...(code ? { providerCode: code } : {}) };
}
