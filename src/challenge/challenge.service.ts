import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { randomToken } from '@/common/crypto/digest';
import type { FactorKind } from '@/users/factor-kind';
import type { User } from '@/users/user.entity';
import { Challenge, SendMethod } from './challenge.entity';
import { ChallengeRepository } from './challenge.repository';
import { OpenChallenge, OpenChallengeOf, toOpenChallenge } from './open-challenge';

export type NewChallenge = { user: User; clientId: string; locale: string; loginName: string } & (
  { kind: 'otp'; methods: SendMethod[] } | { kind: 'totp' } | { kind: 'kba'; questionIds: string[] }
);

/** Challenge rows: issued with a 128-bit random id, opened once per request, attempts, sends, spending. */
@Injectable()
export class ChallengeService {
  constructor(
    private readonly repo: ChallengeRepository,
    private readonly config: AppConfig,
  ) {}

  /** Bound to the user's auth epoch now: a password change, factor reset or lock after this ends it. */
  async issue(input: NewChallenge): Promise<OpenChallenge> {
    const now = Date.now();
    const offered = input.kind === 'otp' ? input.methods : input.kind === 'kba' ? input.questionIds : [];
    const c = Object.assign(new Challenge(), {
      id: randomToken(16),
      userId: input.user.id,
      clientId: input.clientId,
      kind: input.kind,
      state: 'pending',
      attempts: 0,
      sends: 0,
      lastSentAt: 0,
      codeHmac: null,
      codeExpiresAt: null,
      offered: JSON.stringify(offered),
      locale: input.locale,
      userEpoch: input.user.authEpoch,
      loginName: input.loginName,
      refusedMethods: '',
      createdAt: now,
      expiresAt: now + this.config.CHALLENGE_TTL,
      spentAt: null,
    });
    await this.repo.insert(c);
    return toOpenChallenge(c);
  }

  /**
   * The challenge `id` of `userId`, opened for `clientId`, of one of `kinds`, parsed once; null
   * (CHALLENGE_NOT_FOUND) for an unknown id, another user's, another Plaid client's (one that learnt the
   * id must not complete it in its own name), or the wrong kind for the endpoint. A database that cannot
   * answer throws: an outage is a 503, never CHALLENGE_NOT_FOUND.
   */
  async open<K extends FactorKind>(
    userId: string,
    clientId: string,
    id: string,
    kinds: K[],
  ): Promise<OpenChallengeOf<K> | null> {
    const c = await this.repo.findById(id);
    if (!c || c.userId !== userId || c.clientId !== clientId || !(kinds as FactorKind[]).includes(c.kind)) return null;
    return toOpenChallenge(c) as OpenChallengeOf<K>;
  }

  /** Spent, past its lifetime, out of attempts, or ended by a password change, factor reset or lock. */
  isLive(c: OpenChallenge, user: User): boolean {
    return (
      c.state === 'pending' &&
      c.expiresAt > Date.now() &&
      c.attempts < this.config.MFA_MAX_ATTEMPTS &&
      c.userEpoch === user.authEpoch
    );
  }

  /** One of the challenge's MFA_MAX_ATTEMPTS, taken before the answer is judged. */
  takeAttempt(c: OpenChallenge): Promise<boolean> {
    return this.repo.takeAttempt(c.id, this.config.MFA_MAX_ATTEMPTS, Date.now());
  }

  /** Of any number of concurrent right answers, one spends the challenge. */
  spend(c: OpenChallenge): Promise<boolean> {
    return this.repo.spend(c.id, Date.now());
  }

  /** An expired challenge stays an hour, so a late answer still reads CHALLENGE_EXPIRED. */
  purgeExpired(): Promise<number> {
    return this.repo.purge(Date.now(), 3_600_000);
  }

  reserveSend(c: OpenChallenge, codeHmac: string, now: number): Promise<boolean> {
    return this.repo.reserveSend(c.id, {
      codeHmac,
      now,
      codeExpiresAt: now + this.config.OTP_TTL,
      maxSends: this.config.OTP_MAX_SENDS,
      resendInterval: this.config.OTP_RESEND_INTERVAL,
    });
  }

  /** The delivery failed: the send is not used up, and the code it carried is never valid. */
  releaseSend(c: OpenChallenge, codeHmac: string): Promise<void> {
    return this.repo.releaseSend(c.id, codeHmac, c);
  }

  /** The provider refused the destination for good: that method is refused for the rest of the challenge. */
  refuseMethod(c: OpenChallenge, methodId: string): Promise<void> {
    return this.repo.refuseMethod(c.id, methodId);
  }
}
