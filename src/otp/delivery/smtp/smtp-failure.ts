import type { DeliveryResult } from '@/otp/delivery/otp-delivery-channel';

interface SmtpLikeError {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * What a failed SMTP send means for the login (docs/passcode-delivery.md): a 5xx to RCPT TO is the server
 * refusing the recipient for good (550 no such mailbox); a 4xx, any other reply, a refused connection
 * or a timeout is transient. Only the reply code and nodemailer's error code are kept: the server's
 * text may quote the address.
 */
export function smtpFailure(err: unknown, signal: AbortSignal): Extract<DeliveryResult, { reason: string }> {
  if (signal.aborted) return { status: 'transient', reason: 'timeout' };
  const e = (err ?? {}) as SmtpLikeError;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (reply !== undefined) {
    const providerCode = String(reply);
    if (e.command === 'RCPT TO' && reply >= 500) return { status: 'permanent', reason: 'refused', providerCode };
    // AUTH refused, sender refused, a 5xx to DATA: the bank's configuration or server, not the user.
    return { status: 'transient', reason: reply >= 500 ? 'rejected' : 'deferred', providerCode };
  }
  const code = typeof e.code === 'string' && /^[A-Z_]{2,32}$/.test(e.code) ? e.code : undefined;
  return {
    status: 'transient',
    reason: code === 'ETIMEDOUT' ? 'timeout' : 'unreachable',
    ...(code ? { providerCode: code } : {}),
  };
}
