import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { runSql } from '@/database/sql';
import { SignIn } from './sign-in.entity';

const COLUMNS =
  'id_hash, client_id, redirect_uri, state, code_challenge, nonce, institution_id, locale, ' +
  'user_id, challenge_id, challenge, expires_at, ended_at';

/** The challenge a stored sign-in waits on, as the pages show it. */
export interface AwaitedChallenge {
  userId: string;
  challengeId: string;
  /** The challenge's JSON (never a secret). */
  body: string;
  expiresAt: number;
}

/**
 * oauth_sign_in's statements, by the SHA-256 of the sign-in's id. The first write is an INSERT … ON
 * CONFLICT DO NOTHING, each later one a conditional UPDATE: the affected-row count says whether this
 * request's step happened, so of two posts at once on one sign-in exactly one goes on.
 */
@Injectable()
export class SignInRepository {
  constructor(@InjectRepository(SignIn) private readonly rows: Repository<SignIn>) {}

  findByHash(idHash: string): Promise<SignIn | null> {
    return this.rows.findOneBy({ idHash });
  }

  /** The row, unless one with its id exists already: true when this call made it. */
  async insertNew(row: SignIn): Promise<boolean> {
    const r = await runSql(
      this.rows.manager.connection,
      `INSERT INTO oauth_sign_in (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
        'ON CONFLICT (id_hash) DO NOTHING',
      [
        row.idHash,
        row.clientId,
        row.redirectUri,
        row.state,
        row.codeChallenge,
        row.nonce,
        row.institutionId,
        row.locale,
        row.userId,
        row.challengeId,
        row.challenge,
        row.expiresAt,
        row.endedAt,
      ],
    );
    return r.affected === 1;
  }

  /** The open sign-in, still at its password step, now waits on `c`: true for the one request that got there. */
  async awaitChallenge(idHash: string, c: AwaitedChallenge): Promise<boolean> {
    const r = await runSql(
      this.rows.manager.connection,
      'UPDATE oauth_sign_in SET user_id = ?, challenge_id = ?, challenge = ?, expires_at = ? ' +
        'WHERE id_hash = ? AND ended_at IS NULL AND challenge_id IS NULL',
      [c.userId, c.challengeId, c.body, c.expiresAt, idHash],
    );
    return r.affected === 1;
  }

  /** Ends the open sign-in if it is still at the step `challengeId` (null: the password): true for one request. */
  async endAtStep(idHash: string, challengeId: string | null, now: number): Promise<boolean> {
    const onStep = challengeId === null ? 'challenge_id IS NULL' : 'challenge_id = ?';
    const r = await runSql(
      this.rows.manager.connection,
      `UPDATE oauth_sign_in SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL AND ${onStep}`,
      [now, idHash, ...(challengeId === null ? [] : [challengeId])],
    );
    return r.affected === 1;
  }

  /** Opens the sign-in again at its password step, ended or not. */
  async reopen(idHash: string): Promise<void> {
    await runSql(
      this.rows.manager.connection,
      'UPDATE oauth_sign_in SET ended_at = NULL, user_id = NULL, challenge_id = NULL, challenge = NULL ' +
        'WHERE id_hash = ?',
      [idHash],
    );
  }

  /** Takes the open sign-in back to its password step. */
  async restart(idHash: string): Promise<void> {
    await runSql(
      this.rows.manager.connection,
      'UPDATE oauth_sign_in SET user_id = NULL, challenge_id = NULL, challenge = NULL ' +
        'WHERE id_hash = ? AND ended_at IS NULL',
      [idHash],
    );
  }

  async end(idHash: string, now: number): Promise<void> {
    await runSql(
      this.rows.manager.connection,
      'UPDATE oauth_sign_in SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL',
      [now, idHash],
    );
  }

  async deleteExpiredBefore(before: number): Promise<number> {
    return (await this.rows.delete({ expiresAt: LessThan(before) })).affected ?? 0;
  }
}
