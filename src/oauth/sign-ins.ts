import { Injectable } from '@nestjs/common';
import type { ChallengeBody } from '@/auth/challenge-issuer';
import { sha256 } from '@/common/crypto/digest';
import { AppConfig } from '@/config/app-config';
import { AuthorizeRequest, PendingSignIn, SignInCookies } from './sign-in-cookie';
import { SignIn } from './sign-in.entity';
import { SignInRepository } from './sign-in.repository';

export type { AuthorizeRequest } from './sign-in-cookie';

/** A sign-in in progress: what its cookie holds, whether its row exists yet, and the challenge it waits on. */
export interface OpenSignIn {
  pending: PendingSignIn;
  /** The password was right once: the row exists, and every later step changes it conditionally. */
  stored: boolean;
  challenge: ChallengeBody | null;
}

/**
 * Sign-ins in progress. Until the password is right the sign-in is only its sealed cookie
 * (SignInCookies): an anonymous visitor writes nothing, however many authorize requests it makes. A right
 * password makes the row, with one INSERT … ON CONFLICT DO NOTHING; every later step is a conditional
 * UPDATE. Their affected-row count decides, so of two posts at once on one sign-in, on one replica or
 * several, exactly one goes on to a challenge or a code. A sign-in lives CHALLENGE_TTL from its last
 * step, so it expires with the challenge it waits on, and so does the cookie.
 */
@Injectable()
export class SignIns {
  constructor(
    private readonly rows: SignInRepository,
    private readonly cookies: SignInCookies,
    private readonly config: AppConfig,
  ) {}

  /** A new sign-in: nothing stored. */
  start(req: AuthorizeRequest, locale: string): OpenSignIn {
    const pending = { ...req, id: this.cookies.newId(), locale, expiresAt: Date.now() + this.config.CHALLENGE_TTL };
    return { pending, stored: false, challenge: null };
  }

  /** The cookie that carries `s` on to the next step. */
  cookieOf(s: OpenSignIn): string {
    return this.cookies.seal(s.pending);
  }

  async find(cookie: string | undefined): Promise<OpenSignIn | null> {
    const pending = this.cookies.open(cookie);
    return pending ? this.withRow(pending) : null;
  }

  /** `s` as it is now stored (another request may have moved it on), or null once it ended or expired. */
  reload(s: OpenSignIn): Promise<OpenSignIn | null> {
    return this.withRow(s.pending);
  }

  /**
   * The password was right and a second factor is due: the sign-in now waits on that challenge. False
   * when another post on this sign-in got there first: this one's challenge is left to expire unused.
   */
  async awaitChallenge(s: OpenSignIn, challenge: ChallengeBody): Promise<boolean> {
    const expiresAt = Date.now() + this.config.CHALLENGE_TTL;
    const body = JSON.stringify(challenge);
    const waits = { userId: challenge.user_id, challengeId: challenge.challenge.id, body, expiresAt };
    const moved = s.stored
      ? await this.rows.awaitChallenge(this.hashOf(s), waits)
      : await this.insert(s, waits.userId, waits.challengeId, body, expiresAt, null);
    if (!moved) return false;
    Object.assign(s, { stored: true, challenge, pending: { ...s.pending, expiresAt } });
    return true;
  }

  /**
   * The one step before this sign-in's code is issued: it ends the sign-in, if it is still at the step
   * this request judged (the password, or the challenge `s` waits on). False when another request ended
   * it or moved it on first: then no code may be issued.
   */
  async claimCode(s: OpenSignIn, userId: string): Promise<boolean> {
    const now = Date.now();
    const challengeId = s.challenge?.challenge.id ?? null;
    const ended = s.stored
      ? await this.rows.endAtStep(this.hashOf(s), challengeId, now)
      : await this.insert(s, userId, null, null, s.pending.expiresAt, now);
    if (!ended) return false;
    s.stored = true;
    return true;
  }

  /** The code was withdrawn (the password or factors changed while it was judged): the password again. */
  async reopen(s: OpenSignIn): Promise<void> {
    await this.rows.reopen(this.hashOf(s));
    s.challenge = null;
  }

  /** Back to the password (the challenge ended: out of attempts, or a lock or password change). */
  async restart(s: OpenSignIn): Promise<void> {
    if (s.stored) await this.rows.restart(this.hashOf(s));
    s.challenge = null;
  }

  /**
   * Finished by an error redirect (cancel, a lock, an outage): a stored sign-in is ended, so its cookie
   * opens nothing any more. One never stored has nothing to end; its cookie is cleared in the browser,
   * and a copy of it can do no more than its password could have.
   */
  async end(s: OpenSignIn): Promise<void> {
    if (s.stored) await this.rows.end(this.hashOf(s), Date.now());
  }

  csrfOf(s: OpenSignIn): string {
    return this.cookies.csrfOf(s.pending.id);
  }

  csrfHolds(s: OpenSignIn, sent: unknown): boolean {
    return this.cookies.csrfHolds(s.pending.id, sent);
  }

  async purgeExpired(): Promise<number> {
    return this.rows.deleteExpiredBefore(Date.now());
  }

  private async withRow(pending: PendingSignIn): Promise<OpenSignIn | null> {
    const row = await this.rows.findByHash(sha256(pending.id));
    if (!row) return { pending, stored: false, challenge: null };
    if (row.endedAt !== null || row.expiresAt <= Date.now()) return null;
    const challenge = row.challenge ? (JSON.parse(row.challenge) as ChallengeBody) : null;
    return { pending: { ...pending, expiresAt: row.expiresAt }, stored: true, challenge };
  }

  /** The row of a sign-in never stored, made at its first step past the password: false if a twin made it. */
  private insert(
    s: OpenSignIn,
    userId: string,
    challengeId: string | null,
    challenge: string | null,
    expiresAt: number,
    endedAt: number | null,
  ): Promise<boolean> {
    const p = s.pending;
    return this.rows.insertNew(
      Object.assign(new SignIn(), {
        idHash: this.hashOf(s),
        clientId: p.clientId,
        redirectUri: p.redirectUri,
        state: p.state,
        codeChallenge: p.codeChallenge,
        nonce: p.nonce,
        institutionId: p.institutionId,
        locale: p.locale,
        userId,
        challengeId,
        challenge,
        expiresAt,
        endedAt,
      }),
    );
  }

  private hashOf(s: OpenSignIn): string {
    return sha256(s.pending.id);
  }
}
