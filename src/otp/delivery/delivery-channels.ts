import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import {
  DeliveryResult,
  OTP_DELIVERY_CHANNELS,
  OtpDeliveryChannel,
  OtpMessage,
  SendMethodType,
} from './otp-delivery-channel';

/**
 * The configured channels, by send method type. A type no channel serves is not offered in
 * `send_methods` (docs/passcode-delivery.md); a delivery past DELIVERY_TIMEOUT is aborted and transient.
 */
@Injectable()
export class DeliveryChannels {
  private readonly logger = new Logger('Delivery');

  constructor(
    @Inject(OTP_DELIVERY_CHANNELS) private readonly channels: OtpDeliveryChannel[],
    private readonly config: AppConfig,
  ) {}

  offers(type: SendMethodType): boolean {
    return this.channels.some((c) => c.types.includes(type));
  }

  async deliver(message: OtpMessage): Promise<DeliveryResult> {
    const channel = this.channels.find((c) => c.types.includes(message.channel));
    if (!channel) return { status: 'permanent', reason: 'no_channel' };
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<DeliveryResult>((resolve) => {
      timer = setTimeout(() => {
        abort.abort(new Error('delivery timed out'));
        resolve({ status: 'transient', reason: 'timeout' });
      }, this.config.DELIVERY_TIMEOUT);
    });
    try {
      const delivery = channel.deliver(message, abort.signal).catch((err: Error): DeliveryResult => {
        // A channel that throws instead of answering: a transient failure, never a 500.
        this.logger.warn({ channel: message.channel, reason: err.message }, 'delivery channel failed');
        return { status: 'transient', reason: err.name === 'AbortError' ? 'timeout' : 'error' };
      });
      return await Promise.race([delivery, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
