import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { runSql } from '@/database/sql';
import { SqlStep, runTransaction } from '@/database/transaction';
import { KbaQuestion } from './kba-question.entity';

/**
 * kba_question's statements. Writes of a user's questions are each one transaction with the
 * statements on the user that must go with it: readers see the old questions or the new ones, never
 * none and never a mix. The answers are hashed before; nothing slow or async runs inside.
 */
@Injectable()
export class KbaQuestionRepository {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(KbaQuestion) private readonly questions: Repository<KbaQuestion>,
  ) {}

  /** The user's questions in their order. */
  listFor(userId: string): Promise<KbaQuestion[]> {
    return this.questions.find({ where: { userId }, order: { position: 'ASC' } });
  }

  /** Asked on every login that passes its password: one plain COUNT. */
  async countFor(userId: string): Promise<number> {
    const { rows } = await runSql<{ n: string | number }>(
      this.ds,
      'SELECT COUNT(*) AS n FROM kba_question WHERE user_id = ?',
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  byIds(ids: string[]): Promise<KbaQuestion[]> {
    return this.questions.findBy({ id: In(ids) });
  }

  /** The user's questions become `rows` (none, for a reset), with `alongside`, all or nothing. */
  async replace(userId: string, rows: KbaQuestion[], alongside: SqlStep[]): Promise<void> {
    await runTransaction(this.ds, [
      { name: 'delete', sql: 'DELETE FROM kba_question WHERE user_id = ?', params: [userId] },
      ...rows.map(insertQuestionStep),
      ...alongside,
    ]);
  }
}

/** The INSERT of one question, for the transaction that makes its user (UsersService.insert). */
export function insertQuestionStep(q: KbaQuestion): SqlStep {
  return {
    name: `question ${q.position}`,
    sql: 'INSERT INTO kba_question (id, user_id, position, text, answer_hash) VALUES (?, ?, ?, ?, ?)',
    params: [q.id, q.userId, q.position, q.text, q.answerHash],
    affected: 1,
  };
}
