import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '@/config/app-config';
import type { DeliveryResult, OtpDeliveryChannel, OtpMessage } from '@/otp/delivery/otp-delivery-channel';
import { smtpFailure } from './smtp-failure';

/**
 * Email through nodemailer to SMTP_URL (docs/passcode-delivery.md): `smtp://` upgrades with STARTTLS when
 * the server offers it, `smtps://` is TLS from the first byte, credentials come from the URL. A
 * plain-text and an HTML part, from MAIL_FROM. One connection per message, cut when the delivery is
 * aborted at DELIVERY_TIMEOUT (nodemailer takes the AbortSignal).
 */
export class SmtpChannel implements OtpDeliveryChannel {
  readonly types = ['email'] as const;
  private readonly logger = new Logger('Smtp');
  private readonly transport: Transporter;

  constructor(private readonly config: AppConfig) {
    const timeout = config.DELIVERY_TIMEOUT;
    // nodemailer's own logger stays off: it would log the recipient's address.
    this.transport = nodemailer.createTransport({
      url: config.SMTP_URL,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
    });
  }

  async deliver(m: OtpMessage, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) return { status: 'transient', reason: 'timeout' };
    try {
      await this.transport.sendMail({
        from: this.config.MAIL_FROM,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        // RFC 3834: an automatic message; out-of-office replies should not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
        signal,
      });
      return { status: 'delivered' };
    } catch (err) {
      const result = smtpFailure(err, signal);
      const log = { channel: 'email', challenge_id: m.challengeId, reason: result.reason, code: result.providerCode };
      if (result.reason === 'rejected')
        this.logger.error(log, 'the SMTP server refused the message: check SMTP_URL and MAIL_FROM');
      else this.logger.warn(log, 'the SMTP server did not take the passcode');
      return result;
    }
  }
}
