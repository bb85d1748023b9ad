import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RowMapper, rowMapper } from '@/database/row-mapper';
import { runSql } from '@/database/sql';
import { Challenge } from './challenge.entity';

export interface SendReservation {
  codeHmac: string;
  codeExpiresAt: number;
  now: number;
  maxSends: number;
  resendInterval: number;
}

/** Each state change is one conditional UPDATE; the affected-row count says whether it happened. */
@Injectable()
export class ChallengeRepository {
  private mapper?: RowMapper<Challenge>;

  constructor(
    @InjectRepository(Challenge) private readonly challenges: Repository<Challenge>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async insert(c: Challenge): Promise<void> {
    await this.challenges.insert(c);
  }

  /**
   * Every sendOtp and 2fa, the unknown challenges Plaid asks again included: one plain SELECT by the
   * primary key, mapped with the entity's own columns (src/database/row-mapper.ts), not the ORM's query building.
   */
  async findById(id: string): Promise<Challenge | null> {
    const m = (this.mapper ??= rowMapper<Challenge>(this.challenges.metadata));
    const { rows } = await runSql(this.ds, `SELECT ${m.columns} FROM challenge WHERE id = ?`, [id]);
    return rows[0] ? m.map(rows[0]) : null;
  }

  /** Takes one of the challenge's attempts, before the answer is judged. */
  async takeAttempt(id: string, maxAttempts: number, now: number): Promise<boolean> {
    const r = await this.live(id, now)
      .set({ attempts: () => 'attempts + 1' })
      .andWhere('attempts < :max', { max: maxAttempts })
      .execute();
    return r.affected === 1;
  }

  /** Spends the challenge: of any number of concurrent right answers, one gets true. */
  async spend(id: string, now: number): Promise<boolean> {
    const r = await this.challenges
      .createQueryBuilder()
      .update(Challenge)
      .set({ state: 'spent', spentAt: now })
      .where('id = :id AND state = :pending', { id, pending: 'pending' })
      .execute();
    return r.affected === 1;
  }

  /** Reserves a send and installs the new code, within the send limit and resend interval. */
  async reserveSend(id: string, r: SendReservation): Promise<boolean> {
    const res = await this.live(id, r.now)
      .set({ sends: () => 'sends + 1', lastSentAt: r.now, codeHmac: r.codeHmac, codeExpiresAt: r.codeExpiresAt })
      .andWhere('sends < :max', { max: r.maxSends })
      .andWhere('last_sent_at <= :since', { since: r.now - r.resendInterval })
      .execute();
    return res.affected === 1;
  }

  /** Undoes a reservation whose delivery failed, unless a later send replaced it already. */
  async releaseSend(
    id: string,
    codeHmac: string,
    previous: Pick<Challenge, 'lastSentAt' | 'codeHmac' | 'codeExpiresAt'>,
  ): Promise<void> {
    await this.challenges
      .createQueryBuilder()
      .update(Challenge)
      .set({
        sends: () => 'sends - 1',
        lastSentAt: previous.lastSentAt,
        codeHmac: previous.codeHmac,
        codeExpiresAt: previous.codeExpiresAt,
      })
      .where('id = :id AND code_hmac = :codeHmac', { id, codeHmac })
      .execute();
  }

  /** Appends to the refused methods in SQL, so two refusals at once both stay. */
  async refuseMethod(id: string, methodId: string): Promise<void> {
    await this.challenges
      .createQueryBuilder()
      .update(Challenge)
      .set({ refusedMethods: () => "refused_methods || ',' || :methodId" })
      .where('id = :id', { id, methodId })
      .execute();
  }

  /** Drops challenges past their lifetime by `graceMs`, and the code hashes of spent ones. */
  async purge(now: number, graceMs: number): Promise<number> {
    const r = await this.challenges
      .createQueryBuilder()
      .delete()
      .from(Challenge)
      .where('expires_at < :before', { before: now - graceMs })
      .execute();
    await this.challenges
      .createQueryBuilder()
      .update(Challenge)
      .set({ codeHmac: null, codeExpiresAt: null })
      .where('state = :spent AND code_hmac IS NOT NULL', { spent: 'spent' })
      .execute();
    return r.affected ?? 0;
  }

  private live(id: string, now: number) {
    return this.challenges
      .createQueryBuilder()
      .update(Challenge)
      .where('id = :id AND state = :pending AND expires_at > :now', { id, pending: 'pending', now });
  }
}
