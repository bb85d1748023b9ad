import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChallengeModule } from '@/challenge/challenge.module';
import { PartnersModule } from '@/partners/partners.module';
import { UsersModule } from '@/users/users.module';
import { OTP_DELIVERY_CHANNEL } from './delivery/otp-delivery-channel';
import { OutboxMessage } from './delivery/outbox-message.entity';
import { OutboxChannel } from './delivery/outbox.channel';
import { OutboxService } from './delivery/outbox.service';
import { OtpCodes } from './otp-code';
import { OtpController } from './otp.controller';
import { OtpService } from './otp.service';
import { SendMethods } from './send-methods';
import { TotpService } from './totp.service';

@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessage]), ChallengeModule, UsersModule, PartnersModule],
  controllers: [OtpController],
  providers: [
    OtpService,
    OtpCodes,
    SendMethods,
    TotpService,
    OutboxService,
    // OTP_DELIVERY=outbox is the only channel so far; live Twilio/SMTP channels bind here.
    { provide: OTP_DELIVERY_CHANNEL, useClass: OutboxChannel },
  ],
  exports: [OtpService, SendMethods, TotpService, OutboxService],
})
export class OtpModule {}
