import { Injectable } from '@nestjs/common';
import type { FactorAnswer, FactorVerifier, Verdict } from '@/challenge/factor-verifier';
import type { OpenChallenge } from '@/challenge/open-challenge';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { OtpCodes } from './otp-code';

/** A passcode sent by sendOtp: OTP_NOT_SENT before any send, CHALLENGE_EXPIRED past OTP_TTL. */
@Injectable()
export class OtpVerifier implements FactorVerifier {
  readonly kind = 'otp' as const;

  constructor(private readonly codes: OtpCodes) {}

  precheck(_challenge: OpenChallenge, answer: FactorAnswer): void {
    if (!answer.passcode) throw PxError.invalid(apiText('passcode.required'));
  }

  assertReady(challenge: OpenChallenge): void {
    if (!challenge.codeHmac || !challenge.codeExpiresAt) throw new PxError(ErrorId.OTP_NOT_SENT);
    if (challenge.codeExpiresAt <= Date.now()) {
      throw new PxError(ErrorId.CHALLENGE_EXPIRED, apiText('passcode.expired'));
    }
  }

  judge(challenge: OpenChallenge, _user: unknown, answer: FactorAnswer): Promise<Verdict> {
    const right = !!challenge.codeHmac && this.codes.matches(challenge.id, answer.passcode!, challenge.codeHmac);
    return Promise.resolve({ right });
  }

  confirm(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
