import { Injectable } from '@nestjs/common';
import type { FactorAnswer, FactorVerifier, Verdict } from '@/challenge/factor-verifier';
import type { OpenChallenge } from '@/challenge/open-challenge';
import { apiText, PxError } from '@/common/errors/px.error';
import type { CheckClass } from '@/users/check-admission';
import { KbaService } from './kba.service';

/** Answers to the questions drawn when the challenge was issued, and only those (docs/api.md#challenges-202). */
@Injectable()
export class KbaVerifier implements FactorVerifier {
  readonly kind = 'kba' as const;

  constructor(private readonly kba: KbaService) {}

  /** Malformed answers use no attempt: every question asked needs exactly one answer. */
  precheck(challenge: OpenChallenge, answer: FactorAnswer): void {
    if (challenge.kind !== 'kba') return;
    const answers = answer.answers ?? [];
    if (!answers.length) throw PxError.invalid(apiText('kba.answersRequired'));
    const ids = answers.map((a) => a.question_id);
    if (new Set(ids).size !== ids.length) throw PxError.invalid(apiText('kba.answeredTwice'));
    const missing = challenge.questionIds.find((id) => !ids.includes(id));
    if (missing) throw PxError.invalid(apiText('kba.unanswered', { question: missing }));
  }

  assertReady(): void {}

  async judge(challenge: OpenChallenge, _user: unknown, answer: FactorAnswer, path: CheckClass): Promise<Verdict> {
    if (challenge.kind !== 'kba') return { right: false };
    return { right: await this.kba.judge(challenge.questionIds, answer.answers!, path) };
  }

  confirm(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
