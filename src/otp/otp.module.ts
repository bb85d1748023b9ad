import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@/config/app-config';
import { ChallengeModule } from '@/challenge/challenge.module';
import { UsersModule } from '@/users/users.module';
import { DeliveryChannels } from './delivery/delivery-channels';
import { OTP_DELIVERY_CHANNELS, OtpDeliveryChannel } from './delivery/otp-delivery-channel';
import { OutboxMessage } from './delivery/outbox-message.entity';
import { OutboxChannel } from './delivery/outbox.channel';
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
    OtpVerifier,
    TotpVerifier,
    DeliveryChannels,
    OutboxChannel,
    {
      // OTP_DELIVERY picks the channels; live Twilio and SMTP channels register here (PRODUCT.md section 6).
      provide: OTP_DELIVERY_CHANNELS,
      inject: [AppConfig, OutboxChannel],
      useFactory: (config: AppConfig, outbox: OutboxChannel): OtpDeliveryChannel[] =>
        config.OTP_DELIVERY === 'outbox' ? [outbox] : [],
    },
  ],
  exports: [OtpSender, SendMethods, TotpService, OutboxService, OtpVerifier, TotpVerifier],
})
export class OtpModule {}
