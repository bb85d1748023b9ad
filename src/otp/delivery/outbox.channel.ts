import { Injectable, Logger } from '@nestjs/common';
import { maskEmail, maskPhone } from './masks';
import { DeliveryResult, OtpDeliveryChannel, OtpMessage } from './otp-delivery-channel';
import { OutboxRepository } from './outbox.repository';

/** The sandbox's delivery, for every type: a row in the outbox table and a log line with the recipient masked. */
@Injectable()
export class OutboxChannel implements OtpDeliveryChannel {
  readonly types = ['sms', 'voice', 'email'] as const;
  private readonly logger = new Logger('Outbox');

  constructor(private readonly outbox: OutboxRepository) {}

  async deliver(m: OtpMessage, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) return { status: 'transient', reason: 'timeout' };
    await this.outbox.insert({
      channel: m.channel,
      recipient: m.to,
      body: m.text,
      challengeId: m.challengeId,
      createdAt: Date.now(),
    });
    const to = m.channel === 'email' ? maskEmail(m.to) : maskPhone(m.to);
    this.logger.log({ channel: m.channel, to }, 'passcode written to the outbox');
    return { status: 'delivered' };
  }
}
