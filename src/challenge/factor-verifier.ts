import type { CheckClass } from '@/users/check-admission';
import type { User } from '@/users/user.entity';
import type { FactorKind } from '@/users/factor-kind';
import type { OpenChallenge } from './open-challenge';

/** What Plaid sent to /2fa: `passcode` (otp, totp) or `answers` (kba). */
export interface FactorAnswer {
  passcode?: string;
  answers?: { question_id: string; text: string }[];
}

/** A judged answer. `step` is the TOTP time step that matched: the one claimed, never recomputed. */
export interface Verdict {
  right: boolean;
  step?: number;
}

/**
 * One per factor kind, owning that kind's rules (docs/api.md#post-usersuser_id2fa): the 2fa flow takes the
 * attempts, spends the challenge and issues the token; the verifier says whether the answer is right.
 */
export interface FactorVerifier {
  readonly kind: FactorKind;
  /** Before any attempt is taken: a malformed answer throws (400 INVALID_REQUEST). */
  precheck(challenge: OpenChallenge, answer: FactorAnswer): void;
  /** Of a live challenge, whether it can be answered yet (OTP: a code was sent and has not expired). */
  assertReady(challenge: OpenChallenge): void;
  /** `path` is the login's (legacy or oauth): an answer checked with argon2 (KBA) takes that class's share. */
  judge(challenge: OpenChallenge, user: User, answer: FactorAnswer, path: CheckClass): Promise<Verdict>;
  /** After the challenge is spent, the verifier's last word: false is a replay (TOTP's once-per-user rule). */
  confirm(user: User, verdict: Verdict): Promise<boolean>;
}

export const FACTOR_VERIFIERS = Symbol('FactorVerifiers');
