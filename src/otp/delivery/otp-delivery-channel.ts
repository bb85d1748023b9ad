/** One passcode message to one recipient. `to` is E.164 for sms and voice, an address for email. */
export interface OtpMessage {
  channel: 'sms' | 'voice' | 'email';
  to: string;
  text: string;
  subject: string;
  challengeId: string;
}

/**
 * Where passcodes go (PRODUCT.md section 6, OTP_DELIVERY). Resolves once the provider has accepted
 * the message; rejects if it failed. The outbox is the sandbox's; Twilio and SMTP plug in here.
 */
export interface OtpDeliveryChannel {
  deliver(message: OtpMessage): Promise<void>;
}

export const OTP_DELIVERY_CHANNEL = Symbol('OtpDeliveryChannel');
