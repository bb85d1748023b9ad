import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThan, Repository } from 'typeorm';
import type { ChallengeBody } from '@/auth/challenge-issuer';
import { sha256 } from '@/common/crypto/digest';
import { AppConfig } from '@/config/app-config';
import { runSql } from '@/database/sql';
import { AuthorizeRequest, PendingSignIn, SignInCookies } from './sign-in-cookie';
import { SignIn } from './sign-in.entity';

export type { AuthorizeRequest } from './sign-in-cookie';

/** A sign-in in progress: what its cookie holds, whether its row exists yet, and the challenge it waits on. */
export interface OpenSignIn {
  pending: PendingSignIn;
  /** The password was right once: the row exists, and every later step changes it conditionally. */
  stored: boolean;
  challenge: ChallengeBody | null;
}

const COLUMNS =
  'id_hash, client_id, redirect_uri, state, code_challenge, nonce, institution_id, locale, ' +
  'user_id, challenge_id, challenge, expires_at, ended_at';

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
    @InjectRepository(SignIn) private readonly rows: Repository<SignIn>,
    private readonly ds: DataSource,
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
    const r = s.stored
      ? await runSql(
          this.ds,
          'UPDATE oauth_sign_in SET user_id = ?, challenge_id = ?, challenge = ?, expires_at = ? ' +
            'WHERE id_hash = ? AND ended_at IS NULL AND challenge_id IS NULL',
          [challenge.user_id, challenge.challenge.id, body, expiresAt, this.hashOf(s)],
        )
      : await this.insert(s, challenge.user_id, challenge.challenge.id, body, expiresAt, null);
    if (r.affected !== 1) return false;
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
    const onStep = challengeId === null ? 'challenge_id IS NULL' : 'challenge_id = ?';
    const r = s.stored
      ? await runSql(
          this.ds,
          `UPDATE oauth_sign_in SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL AND ${onStep}`,
          [now, this.hashOf(s), ...(challengeId === null ? [] : [challengeId])],
        )
      : await this.insert(s, userId, null, null, s.pending.expiresAt, now);
    if (r.affected !== 1) return false;
    s.stored = true;
    return true;
  }

  /** The code was withdrawn (the password or factors changed while it was judged): the password again. */
  async reopen(s: OpenSignIn): Promise<void> {
    await runSql(
      this.ds,
      'UPDATE oauth_sign_in SET ended_at = NULL, user_id = NULL, challenge_id = NULL, challenge = NULL ' +
        'WHERE id_hash = ?',
      [this.hashOf(s)],
    );
    s.challenge = null;
  }

  /** Back to the password (the challenge ended: out of attempts, or a lock or password change). */
  async restart(s: OpenSignIn): Promise<void> {
    if (s.stored)
      await runSql(
        this.ds,
        'UPDATE oauth_sign_in SET user_id = NULL, challenge_id = NULL, challenge = NULL ' +
          'WHERE id_hash = ? AND ended_at IS NULL',
        [this.hashOf(s)],
      );
    s.challenge = null;
  }

  /**
   * Finished by an error redirect (cancel, a lock, an outage): a stored sign-in is ended, so its cookie
   * opens nothing any more. One never stored has nothing to end; its cookie is cleared in the browser,
   * and a copy of it can do no more than its password could have.
   */
  async end(s: OpenSignIn): Promise<void> {
    if (s.stored)
      await runSql(this.ds, 'UPDATE oauth_sign_in SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL', [
        Date.now(),
        this.hashOf(s),
      ]);
  }

  csrfOf(s: OpenSignIn): string {
    return this.cookies.csrfOf(s.pending.id);
  }

  csrfHolds(s: OpenSignIn, sent: unknown): boolean {
    return this.cookies.csrfHolds(s.pending.id, sent);
  }

  async purgeExpired(): Promise<number> {
    const r = await this.rows.delete({ expiresAt: LessThan(Date.now()) });
    return r.affected ?? 0;
  }

  private async withRow(pending: PendingSignIn): Promise<OpenSignIn | null> {
    const row = await this.rows.findOneBy({ idHash: sha256(pending.id) });
    if (!row) return { pending, stored: false, challenge: null };
    if (row.endedAt !== null || row.expiresAt <= Date.now()) return null;
    const challenge = row.challenge ? (JSON.parse(row.challenge) as ChallengeBody) : null;
    return { pending: { ...pending, expiresAt: row.expiresAt }, stored: true, challenge };
  }

  private insert(
    s: OpenSignIn,
    userId: string,
    challengeId: string | null,
    challenge: string | null,
    expiresAt: number,
    endedAt: number | null,
  ) {
    const p = s.pending;
    return runSql(
      this.ds,
      `INSERT INTO oauth_sign_in (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
        'ON CONFLICT (id_hash) DO NOTHING',
      [
        this.hashOf(s),
        p.clientId,
        p.redirectUri,
        p.state,
        p.codeChallenge,
        p.nonce,
        p.institutionId,
        p.locale,
        userId,
        challengeId,
        challenge,
        expiresAt,
        endedAt,
      ],
    );
  }

  private hashOf(s: OpenSignIn): string {
    return sha256(s.pending.id);
  }
}
