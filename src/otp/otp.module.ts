import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@/config/app-config';
import { liveChannels } from '@/config/live-delivery';
import { ChallengeModule } from '@/challenge/challenge.module';
import { UsersModule } from '@/users/users.module';
import { DeliveryChannels } from './delivery/delivery-channels';
import { OTP_DELIVERY_CHANNELS, OtpDeliveryChannel } from './delivery/otp-delivery-channel';
import { OutboxMessage } from './delivery/outbox-message.entity';
import { OutboxChannel } from './delivery/outbox.channel';
import { OutboxRepository } from './delivery/outbox.repository';
import { OutboxService } from './delivery/outbox.service';
import { OtpCodes } from './otp-code';
import { OtpSender } from './otp-sender';
import { OtpVerifier } from './otp.verifier';
import { SendMethods } from './send-methods';
import { TotpService } from './totp.service';
import { TotpVerifier } from './totp.verifier';

/** Passcodes (sendOtp's codes and their delivery) and authenticator-app codes, with their verifiers. */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage]), ChallengeModule, UsersModule],
  providers: [
    OtpSender,
    OtpCodes,
    SendMethods,
    TotpService,
    OutboxService,
    OutboxRepository,
    OtpVerifier,
    TotpVerifier,
    DeliveryChannels,
    OutboxChannel,
    {
      // OTP_DELIVERY picks the channels (docs/api.md#post-usersuser_idsendotp): the outbox, or each live channel whose
      // settings are complete (the config refuses half of one); a type no channel serves is not offered.
      // A live channel's SDK (twilio, nodemailer) is loaded only when it is configured: twilio alone is a
      // quarter of a second of every start and CLI command that sends nothing through it.
      provide: OTP_DELIVERY_CHANNELS,
      inject: [AppConfig, OutboxChannel],
      useFactory: async (config: AppConfig, outbox: OutboxChannel): Promise<OtpDeliveryChannel[]> => {
        if (config.OTP_DELIVERY === 'outbox') return [outbox];
        const live = liveChannels(config);
        const channels: OtpDeliveryChannel[] = [];
        if (live.sms) channels.push(new (await import('./delivery/twilio/twilio.channel')).TwilioChannel(config));
        if (live.email) channels.push(new (await import('./delivery/smtp/smtp.channel')).SmtpChannel(config));
        return channels;
      },
    },
  ],
  exports: [OtpSender, SendMethods, TotpService, OutboxService, OtpVerifier, TotpVerifier, DeliveryChannels],
})
export class OtpModule {}
