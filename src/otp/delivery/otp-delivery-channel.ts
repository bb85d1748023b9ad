export type SendMethodType = 'sms' | 'voice' | 'email';

/**
 * One passcode message to one recipient, in the user's language. `to` is E.164 for sms and voice, an
 * address for email. `text` is what is sent (sms), read aloud in `language` (voice), or the plain-text
 * part beside `html` (email).
 */
export interface OtpMessage {
  channel: SendMethodType;
  to: string;
  text: string;
  subject: string;
  html: string;
  language: string;
  challengeId: string;
}

/**
 * Why a delivery failed, the audit event's `reason` (docs/passcode-delivery.md): `refused` and
 * `no_channel` are permanent; the rest transient (`breaker_open`: the channel's breaker refused the send
 * without asking the provider). The console says each in words (docs/console.md).
 */
export const DELIVERY_FAILURES = [
  'refused',
  'no_channel',
  'timeout',
  'rate_limited',
  'provider_error',
  'rejected',
  'deferred',
  'unreachable',
  'breaker_open',
  'error',
] as const;
export type DeliveryFailure = (typeof DELIVERY_FAILURES)[number];

/**
 * What became of a delivery (docs/passcode-delivery.md). `transient` (5xx, 429, unreachable, past
 * DELIVERY_TIMEOUT) is a 503 and uses no send; `permanent` (the provider refused the destination for
 * good) is 400 SEND_METHOD_UNAVAILABLE. `providerCode` is the provider's own error code, for the audit.
 */
export type DeliveryResult =
  | { status: 'delivered' }
  | { status: 'transient'; reason: DeliveryFailure; providerCode?: string }
  | { status: 'permanent'; reason: DeliveryFailure; providerCode?: string };

/**
 * Where passcodes go (OTP_DELIVERY): the sandbox outbox, or Twilio (sms, voice) and SMTP (email), each
 * registered for the send method types it serves. `signal` aborts at DELIVERY_TIMEOUT: a channel
 * stops what it is doing, since the code it carries will never be valid.
 */
export interface OtpDeliveryChannel {
  readonly types: readonly SendMethodType[];
  deliver(message: OtpMessage, signal: AbortSignal): Promise<DeliveryResult>;
}

export const OTP_DELIVERY_CHANNELS = Symbol('OtpDeliveryChannels');
