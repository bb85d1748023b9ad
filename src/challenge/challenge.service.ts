import { Injectable } from '@nestjs/common';
import { AppConfig, FactorKind } from '@/config/app-config';
import { randomToken } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { Challenge } from './challenge.entity';
import { ChallengeRepository } from './challenge.repository';

export interface NewChallenge {
  userId: string;
  clientId: string;
  kind: FactorKind;
  offered: unknown[];
  locale: string;
}

/** Challenge rows: creation with a 128-bit random id, lookup for an endpoint, attempts, spending. */
@Injectable()
export class ChallengeService {
  constructor(
    private readonly repo: ChallengeRepository,
    private readonly config: AppConfig,
  ) {}

  async create(input: NewChallenge): Promise<Challenge> {
    const now = Date.now();
    const c = Object.assign(new Challenge(), {
      id: randomToken(16),
      userId: input.userId,
      clientId: input.clientId,
      kind: input.kind,
      state: 'pending',
      attempts: 0,
      sends: 0,
      lastSentAt: 0,
      codeHmac: null,
      codeExpiresAt: null,
      offered: JSON.stringify(input.offered),
      locale: input.locale,
      userEpoch: 0,
      refusedMethods: '',
      createdAt: now,
      expiresAt: now + this.config.CHALLENGE_TTL,
      spentAt: null,
    });
    await this.repo.insert(c);
    return c;
  }

  /**
   * The challenge `id` of `userId`, of one of `kinds`; CHALLENGE_NOT_FOUND for an unknown id, another
   * user's, or the wrong kind for the endpoint (PRODUCT.md section 3).
   */
  async find(id: string, userId: string, kinds: FactorKind[]): Promise<Challenge> {
    const c = await this.repo.findById(id);
    if (!c || c.userId !== userId || !kinds.includes(c.kind)) throw new PxError(ErrorId.CHALLENGE_NOT_FOUND);
    return c;
  }

  /** Spent, past its lifetime, or out of attempts: CHALLENGE_EXPIRED. */
  assertLive(c: Challenge): void {
    if (c.state !== 'pending' || c.expiresAt <= Date.now() || c.attempts >= this.config.MFA_MAX_ATTEMPTS) {
      throw new PxError(ErrorId.CHALLENGE_EXPIRED);
    }
  }

  async takeAttempt(c: Challenge): Promise<void> {
    if (!(await this.repo.takeAttempt(c.id, this.config.MFA_MAX_ATTEMPTS, Date.now())))
      throw new PxError(ErrorId.CHALLENGE_EXPIRED);
  }

  async spend(c: Challenge): Promise<void> {
    if (!(await this.repo.spend(c.id, Date.now()))) throw new PxError(ErrorId.CHALLENGE_EXPIRED);
  }

  /** An expired challenge stays an hour, so a late answer still reads CHALLENGE_EXPIRED. */
  purgeExpired(): Promise<number> {
    return this.repo.purge(Date.now(), 3_600_000);
  }

  reserveSend(c: Challenge, codeHmac: string, now: number): Promise<boolean> {
    return this.repo.reserveSend(c.id, {
      codeHmac,
      now,
      codeExpiresAt: now + this.config.OTP_TTL,
      maxSends: this.config.OTP_MAX_SENDS,
      resendInterval: this.config.OTP_RESEND_INTERVAL,
    });
  }

  releaseSend(c: Challenge, codeHmac: string): Promise<void> {
    return this.repo.releaseSend(c.id, codeHmac, c);
  }
}
