import { Logger } from '@nestjs/common';
import twilio from 'twilio';
import type { AppConfig } from '@/config/app-config';
import { liveChannels } from '@/config/live-delivery';
import type {
  DeliveryResult,
  OtpDeliveryChannel,
  OtpMessage,
  SendMethodType,
} from '@/otp/delivery/otp-delivery-channel';
import { OriginRequestClient } from './origin-request-client';
import { twilioFailure } from './twilio-failure';

type SayLanguage = Parameters<twilio.twiml.VoiceResponse['say']>[0] extends infer A
  ? A extends { language?: infer L }
    ? L
    : never
  : never;

/**
 * SMS through Twilio's Messages API and voice through its Calls API, with the official SDK (docs/passcode-delivery.md). The call's TwiML reads the digits one by one, twice (the catalogue's text), in the
 * user's language. Built only with OTP_DELIVERY=live and Twilio's settings (otp.module.ts).
 */
export class TwilioChannel implements OtpDeliveryChannel {
  readonly types: readonly SendMethodType[];
  private readonly logger = new Logger('Twilio');
  private readonly client: twilio.Twilio;

  constructor(private readonly config: AppConfig) {
    const channels = liveChannels(config);
    this.types = (['sms', 'voice'] as const).filter((t) => channels[t]);
    this.client = twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, {
      httpClient: new OriginRequestClient(config.TWILIO_API_URL, config.DELIVERY_TIMEOUT),
      // Never the SDK's debug output (TWILIO_LOG_LEVEL in the environment): it prints requests.
      logLevel: 'info',
    });
  }

  async deliver(m: OtpMessage, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) return { status: 'transient', reason: 'timeout' };
    try {
      await OriginRequestClient.withSignal(signal, () => (m.channel === 'voice' ? this.call(m) : this.text(m)));
      return { status: 'delivered' };
    } catch (err) {
      const result = twilioFailure(err, signal);
      const log = { channel: m.channel, challenge_id: m.challengeId, reason: result.reason, code: result.providerCode };
      if (result.reason === 'rejected') this.logger.error(log, 'Twilio refused the request: check the Twilio settings');
      else this.logger.warn(log, 'Twilio did not deliver the passcode');
      return result;
    }
  }

  private async text(m: OtpMessage): Promise<void> {
    const { TWILIO_MESSAGING_SERVICE_SID: service, TWILIO_FROM: from } = this.config;
    // A Messaging Service, when configured, picks the sender itself (Twilio's advice for sender pools).
    const sender = service ? { messagingServiceSid: service } : { from: from! };
    await this.client.messages.create({ to: m.to, body: m.text, ...sender });
  }

  private async call(m: OtpMessage): Promise<void> {
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.say({ language: m.language as SayLanguage }, m.text);
    await this.client.calls.create({ to: m.to, from: this.config.TWILIO_FROM!, twiml: twiml.toString() });
  }
}
