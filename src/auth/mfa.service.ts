import { Injectable } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import type { Challenge } from '@/challenge/challenge.entity';
import { ChallengeService } from '@/challenge/challenge.service';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { KbaService } from '@/kba/kba.service';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { OtpService } from '@/otp/otp.service';
import { TotpService } from '@/otp/totp.service';
import { TokensService } from '@/tokens/tokens.service';
import { LockoutService } from '@/users/lockout/lockout.service';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import { AuthenticatedBody, TwoFactorDto } from './auth.dto';

/**
 * POST /users/:user_id/2fa (PRODUCT.md section 7). The attempt is taken before the answer is
 * judged; a right answer spends the challenge in one conditional UPDATE, so of any number of
 * concurrent right answers exactly one gets a token.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly maintenance: MaintenanceService,
    private readonly challenges: ChallengeService,
    private readonly users: UsersService,
    private readonly lockout: LockoutService,
    private readonly otp: OtpService,
    private readonly totp: TotpService,
    private readonly kba: KbaService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  async verify(userId: string, input: TwoFactorDto, clientId: string): Promise<AuthenticatedBody> {
    await this.maintenance.assertOpen();
    const challenge = await this.challenges.find(input.challenge_id, userId, ['otp', 'totp', 'kba']);
    const user = await this.users.getById(userId).catch(() => {
      throw new PxError(ErrorId.CHALLENGE_NOT_FOUND);
    });
    const key = this.users.keyOf(user);
    const event = { type: '2fa', userId, institutionId: user.institutionId };
    this.assertShape(challenge, input);
    if (await this.lockout.isLocked(key)) {
      await this.audit.record({ ...event, outcome: 'locked', detail: { kind: challenge.kind } });
      throw new PxError(ErrorId.ACCOUNT_LOCKED);
    }
    this.challenges.assertLive(challenge);
    if (challenge.kind === 'otp') this.otp.assertSent(challenge);

    await this.challenges.takeAttempt(challenge);
    const right = await this.judge(challenge, user, input);
    if (right) {
      // Of any number of concurrent right answers one spends the challenge; the others are
      // CHALLENGE_EXPIRED ("already used") and count no failure.
      await this.challenges.spend(challenge);
    }
    const replay = right && challenge.kind === 'totp' && !(await this.claimTotpStep(user, input.passcode!));
    if (!right || replay) {
      const outcome = replay ? 'totp_replay' : 'wrong';
      await this.audit.record({ ...event, outcome, detail: { kind: challenge.kind, challenge_id: challenge.id } });
      await this.lockout.addFailure(key, user.id);
      throw new PxError(ErrorId.INVALID_MFA);
    }
    await this.lockout.reset(key);
    const token = await this.tokens.issue(user, clientId);
    await this.audit.record({
      ...event,
      outcome: 'success',
      detail: { kind: challenge.kind, challenge_id: challenge.id },
    });
    return { user_id: user.id, auth_token: token };
  }

  /** Malformed input uses no attempt: OTP/TOTP need a passcode, KBA an answer to every question asked. */
  private assertShape(challenge: Challenge, input: TwoFactorDto): void {
    if (challenge.kind !== 'kba') {
      if (!input.passcode) throw PxError.invalid('passcode: is required for this challenge');
      return;
    }
    const asked = JSON.parse(challenge.offered) as string[];
    const answers = input.answers ?? [];
    if (!answers.length) throw PxError.invalid('answers: an answer to every question asked is required');
    const ids = answers.map((a) => a.question_id);
    if (new Set(ids).size !== ids.length) throw PxError.invalid('answers: a question is answered twice');
    const missing = asked.find((id) => !ids.includes(id));
    if (missing) throw PxError.invalid(`answers: question ${missing} is not answered`);
  }

  private async judge(challenge: Challenge, user: User, input: TwoFactorDto): Promise<boolean> {
    switch (challenge.kind) {
      case 'otp':
        return this.otp.judge(challenge, input.passcode!);
      case 'totp':
        return this.totp.matchStep(user, input.passcode!) !== null;
      case 'kba':
        return this.kba.judge(JSON.parse(challenge.offered) as string[], input.answers!);
    }
  }

  /**
   * A TOTP code is accepted once per user (OWASP ASVS 2.8.5). Claimed after the challenge is spent,
   * so duplicates of one right answer lose the spend, not the claim; a claim that fails is a real
   * replay (the code was used by another challenge), INVALID_MFA, and the challenge stays spent.
   */
  private async claimTotpStep(user: User, passcode: string): Promise<boolean> {
    const step = this.totp.matchStep(user, passcode);
    return step !== null && (await this.users.claimTotpStep(user, step));
  }
}
