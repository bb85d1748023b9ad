import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { AuditService } from '@/audit/audit.service';
import { ChallengeService } from '@/challenge/challenge.service';
import type { Challenge, SendMethod } from '@/challenge/challenge.entity';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { messages } from '@/common/i18n/messages';
import { LockoutService } from '@/users/lockout/lockout.service';
import { UsersService } from '@/users/users.service';
import { OTP_DELIVERY_CHANNEL, OtpDeliveryChannel, OtpMessage } from './delivery/otp-delivery-channel';
import { OtpCodes } from './otp-code';

const RETRY_AFTER_DELIVERY_FAILURE_MS = 30_000;

/** POST /users/:user_id/sendOtp (PRODUCT.md section 6), and judging an OTP passcode for 2fa. */
@Injectable()
export class OtpService {
  private readonly logger = new Logger('Otp');

  constructor(
    private readonly challenges: ChallengeService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly codes: OtpCodes,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @Inject(OTP_DELIVERY_CHANNEL) private readonly channel: OtpDeliveryChannel,
  ) {}

  async send(userId: string, challengeId: string, sendMethodId: string): Promise<void> {
    const challenge = await this.challenges.find(challengeId, userId, ['otp']);
    const user = await this.users.getById(userId).catch(() => {
      throw new PxError(ErrorId.CHALLENGE_NOT_FOUND);
    });
    const audit = { type: 'otp_send', userId, institutionId: user.institutionId };
    if (await this.lockout.isLocked(this.users.keyOf(user))) {
      await this.audit.record({ ...audit, outcome: 'locked' });
      throw new PxError(ErrorId.ACCOUNT_LOCKED);
    }
    this.challenges.assertLive(challenge);
    const method = (JSON.parse(challenge.offered) as SendMethod[]).find((m) => m.id === sendMethodId);
    if (!method) throw new PxError(ErrorId.INVALID_SEND_METHOD);
    const to = method.type === 'email' ? user.email : user.phone;
    if (!to) throw new PxError(ErrorId.INVALID_SEND_METHOD, 'This send method is no longer available for the user.');

    const code = this.codes.generate();
    const sealed = this.codes.seal(challenge.id, code);
    if (!(await this.challenges.reserveSend(challenge, sealed, Date.now()))) {
      await this.audit.record({ ...audit, outcome: 'limit_reached', detail: { method: method.type } });
      throw new PxError(ErrorId.SEND_LIMIT_REACHED);
    }
    try {
      await this.deliver(this.message(challenge, method, to, code));
    } catch (err) {
      // The provider failed: the attempt does not use up a send (PRODUCT.md section 6).
      await this.challenges.releaseSend(challenge, sealed);
      this.logger.warn({ channel: method.type, reason: (err as Error).message }, 'passcode delivery failed');
      await this.audit.record({ ...audit, outcome: 'provider_failed', detail: { method: method.type } });
      throw PxError.unavailable(
        new Date(Date.now() + RETRY_AFTER_DELIVERY_FAILURE_MS),
        'The passcode could not be sent; try again shortly.',
      );
    }
    await this.audit.record({ ...audit, outcome: 'sent', detail: { method: method.type } });
  }

  /** 2fa on an OTP challenge: throws OTP_NOT_SENT / CHALLENGE_EXPIRED; otherwise whether it matches. */
  assertSent(challenge: Challenge): void {
    if (!challenge.codeHmac) throw new PxError(ErrorId.OTP_NOT_SENT);
  }

  judge(challenge: Challenge, passcode: string): boolean {
    if (!challenge.codeHmac || !challenge.codeExpiresAt) return false;
    if (challenge.codeExpiresAt <= Date.now())
      throw new PxError(ErrorId.CHALLENGE_EXPIRED, 'The passcode has expired; request a new one.');
    return this.codes.matches(challenge.id, passcode, challenge.codeHmac);
  }

  private message(challenge: Challenge, method: SendMethod, to: string, code: string): OtpMessage {
    const t = messages(challenge.locale);
    const minutes = Math.max(1, Math.round(this.config.OTP_TTL / 60_000));
    const text = method.type === 'voice' ? t.otpVoice(code.split('').join(' ')) : t.otpText(code, minutes);
    return { channel: method.type, to, text, subject: t.otpEmailSubject, challengeId: challenge.id };
  }

  private deliver(message: OtpMessage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('delivery timed out')), this.config.DELIVERY_TIMEOUT);
    });
    return Promise.race([this.channel.deliver(message), timeout]).finally(() => clearTimeout(timer));
  }
}
