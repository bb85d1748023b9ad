import { Injectable } from '@nestjs/common';
import type { FactorAnswer, FactorVerifier, Verdict } from '@/challenge/factor-verifier';
import { apiText, PxError } from '@/common/errors/px.error';
import type { User } from '@/users/user.entity';
import { UsersService } from '@/users/users.service';
import { TotpService } from './totp.service';

/**
 * An authenticator-app code (RFC 6238), accepted once per user (OWASP ASVS 2.8.5): the time step that
 * matched when the code was judged is the one claimed, never one recomputed later with another clock.
 */
@Injectable()
export class TotpVerifier implements FactorVerifier {
  readonly kind = 'totp' as const;

  constructor(
    private readonly totp: TotpService,
    private readonly users: UsersService,
  ) {}

  precheck(_challenge: unknown, answer: FactorAnswer): void {
    if (!answer.passcode) throw PxError.invalid(apiText('passcode.required'));
  }

  assertReady(): void {}

  judge(_challenge: unknown, user: User, answer: FactorAnswer): Promise<Verdict> {
    const step = this.totp.matchStep(user, answer.passcode!);
    return Promise.resolve(step === null ? { right: false } : { right: true, step });
  }

  /**
   * Claimed after the challenge is spent, so duplicates of one right answer lose the spend, not the
   * claim; a claim that fails is a real replay (the code was used by another challenge).
   */
  confirm(user: User, verdict: Verdict): Promise<boolean> {
    return this.users.claimTotpStep(user, verdict.step!);
  }
}
