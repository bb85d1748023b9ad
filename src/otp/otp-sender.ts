import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import type { SendMethod } from '@/challenge/challenge.entity';
import { ChallengeService } from '@/challenge/challenge.service';
import type { OpenChallengeOf } from '@/challenge/open-challenge';
import type { User } from '@/users/user.entity';
import { DeliveryChannels } from './delivery/delivery-channels';
import type { DeliveryResult, OtpMessage } from './delivery/otp-delivery-channel';
import { otpTexts } from './messages/otp-texts';
import { OtpCodes } from './otp-code';
import { SendMethods } from './send-methods';

export type SendResult = DeliveryResult | { status: 'limit_reached' } | { status: 'no_destination' };

/**
 * One sendOtp (docs/api.md#post-usersuser_idsendotp): a fresh code replaces the earlier one within the send limits, in
 * one conditional UPDATE; then the delivery. A delivery that fails gives its send back and its code is
 * never valid (the earlier code is restored only where no later send replaced it).
 */
@Injectable()
export class OtpSender {
  constructor(
    private readonly challenges: ChallengeService,
    private readonly codes: OtpCodes,
    private readonly methods: SendMethods,
    private readonly channels: DeliveryChannels,
    private readonly config: AppConfig,
  ) {}

  async send(challenge: OpenChallengeOf<'otp'>, user: User, method: SendMethod): Promise<SendResult> {
    const to = this.methods.destination(user, method);
    if (!to) return { status: 'no_destination' };
    const code = this.codes.generate();
    const sealed = this.codes.seal(challenge.id, code);
    if (!(await this.challenges.reserveSend(challenge, sealed, Date.now()))) return { status: 'limit_reached' };
    const result = await this.channels.deliver(this.message(challenge, method, to, code));
    if (result.status !== 'delivered') await this.challenges.releaseSend(challenge, sealed);
    if (result.status === 'permanent') await this.challenges.refuseMethod(challenge, method.id);
    return result;
  }

  private message(challenge: OpenChallengeOf<'otp'>, method: SendMethod, to: string, code: string): OtpMessage {
    const minutes = Math.max(1, Math.round(this.config.OTP_TTL / 60_000));
    const institution = this.config.INSTITUTION_NAME ?? 'pxauth';
    const t = otpTexts(challenge.locale, { institution, code, minutes });
    const text = method.type === 'voice' ? t.voice : method.type === 'email' ? t.emailText : t.sms;
    return {
      channel: method.type,
      to,
      text,
      subject: t.emailSubject,
      html: t.emailHtml,
      language: t.voiceLanguage,
      challengeId: challenge.id,
    };
  }
}
