import { Inject, Injectable, Logger } from '@nestjs/common';
import { CircuitBreaker } from '@/common/resilience/circuit-breaker';
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
 * Each type has a breaker of this process: DELIVERY_BREAKER_FAILURES transient failures in a row and
 * the provider is not called for DELIVERY_BREAKER_COOLDOWN, answered transient at once (no send used).
 */
@Injectable()
export class DeliveryChannels {
  private readonly logger = new Logger('Delivery');
  private readonly breakerOf = new Map<SendMethodType, CircuitBreaker>();

  constructor(
    @Inject(OTP_DELIVERY_CHANNELS) private readonly channels: OtpDeliveryChannel[],
    private readonly config: AppConfig,
  ) {
    for (const type of new Set(channels.flatMap((c) => c.types)))
      this.breakerOf.set(
        type,
        new CircuitBreaker(`delivery_${type}`, config.DELIVERY_BREAKER_FAILURES, config.DELIVERY_BREAKER_COOLDOWN),
      );
  }

  /** The breaker of each send method type a channel serves, by type (the console's banners, /metrics). */
  get breakers(): ReadonlyMap<SendMethodType, CircuitBreaker> {
    return this.breakerOf;
  }

  offers(type: SendMethodType): boolean {
    return this.channels.some((c) => c.types.includes(type));
  }

  async deliver(message: OtpMessage): Promise<DeliveryResult> {
    const channel = this.channels.find((c) => c.types.includes(message.channel));
    const breaker = this.breakerOf.get(message.channel);
    if (!channel || !breaker) return { status: 'permanent', reason: 'no_channel' };
    if (!breaker.admit().ok) return { status: 'transient', reason: 'breaker_open' };
    const result = await this.attempt(channel, message);
    // A refusal for good is about the destination: the provider answered, so it counts as working.
    if (result.status === 'transient') breaker.failed();
    else breaker.succeeded();
    return result;
  }

  private async attempt(channel: OtpDeliveryChannel, message: OtpMessage): Promise<DeliveryResult> {
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
