import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { maskEmail, maskPhone } from '../masks';
import { OtpDeliveryChannel, OtpMessage } from './otp-delivery-channel';
import { OutboxMessage } from './outbox-message.entity';

/** The sandbox's delivery: a row in the outbox table and a log line with the recipient masked. */
@Injectable()
export class OutboxChannel implements OtpDeliveryChannel {
  private readonly logger = new Logger('Outbox');

  constructor(@InjectRepository(OutboxMessage) private readonly outbox: Repository<OutboxMessage>) {}

  async deliver(m: OtpMessage): Promise<void> {
    await this.outbox.insert({
      channel: m.channel,
      recipient: m.to,
      body: m.text,
      challengeId: m.challengeId,
      createdAt: Date.now(),
    });
    this.logger.log(
      { channel: m.channel, to: m.channel === 'email' ? maskEmail(m.to) : maskPhone(m.to) },
      'passcode written to the outbox',
    );
  }
}
