import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import type { ChallengeBody } from '@/auth/challenge-issuer';
import { hmacSha256, randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { AppConfig } from '@/config/app-config';
import { SignIn } from './sign-in.entity';

/** What Plaid's authorize request asked for, checked (authorize.ts). */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string | null;
  nonce: string | null;
  institutionId: string | null;
}

/** A sign-in in progress, with the challenge it waits on parsed once. */
export interface OpenSignIn {
  row: SignIn;
  /** The browser's cookie value: its SHA-256 finds the row, its HMAC is the CSRF token. */
  token: string;
  challenge: ChallengeBody | null;
}

/**
 * Sign-ins in progress, bound to the browser by a cookie that holds 256 random bits (only their
 * SHA-256 is stored). A sign-in lives CHALLENGE_TTL from its last step, so it expires with the
 * challenge it waits on, and so does the cookie.
 */
@Injectable()
export class SignIns {
  constructor(
    @InjectRepository(SignIn) private readonly rows: Repository<SignIn>,
    private readonly config: AppConfig,
  ) {}

  async start(req: AuthorizeRequest, locale: string): Promise<OpenSignIn> {
    const token = randomToken(32);
    const row = Object.assign(new SignIn(), {
      idHash: sha256(token),
      ...req,
      locale,
      userId: null,
      challengeId: null,
      challenge: null,
      expiresAt: Date.now() + this.config.CHALLENGE_TTL,
    });
    await this.rows.insert(row);
    return { row, token, challenge: null };
  }

  async find(token: string | undefined): Promise<OpenSignIn | null> {
    if (!token || token.length > 64) return null;
    const row = await this.rows.findOneBy({ idHash: sha256(token) });
    if (!row || row.expiresAt <= Date.now()) return null;
    return { row, token, challenge: row.challenge ? (JSON.parse(row.challenge) as ChallengeBody) : null };
  }

  /** The password was right and a second factor is due: the sign-in now waits on that challenge. */
  async awaitChallenge(s: OpenSignIn, challenge: ChallengeBody): Promise<void> {
    const patch = {
      userId: challenge.user_id,
      challengeId: challenge.challenge.id,
      challenge: JSON.stringify(challenge),
      expiresAt: Date.now() + this.config.CHALLENGE_TTL,
    };
    await this.rows.update({ idHash: s.row.idHash }, patch);
    Object.assign(s.row, patch);
    s.challenge = challenge;
  }

  /** Back to the password (the challenge ended: out of attempts, or a lock or password change). */
  async restart(s: OpenSignIn): Promise<void> {
    const patch = { userId: null, challengeId: null, challenge: null };
    await this.rows.update({ idHash: s.row.idHash }, patch);
    Object.assign(s.row, patch);
    s.challenge = null;
  }

  /** Finished either way (a code, or an error redirect): the cookie opens nothing any more. */
  async end(s: OpenSignIn): Promise<void> {
    await this.rows.delete({ idHash: s.row.idHash });
  }

  csrfOf(s: OpenSignIn): string {
    return hmacSha256(Buffer.from(s.token), 'pxauth oauth csrf');
  }

  csrfHolds(s: OpenSignIn, sent: unknown): boolean {
    return typeof sent === 'string' && safeEqual(sent, this.csrfOf(s));
  }

  async purgeExpired(): Promise<number> {
    const r = await this.rows.delete({ expiresAt: LessThan(Date.now()) });
    return r.affected ?? 0;
  }
}
