import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlStep, runTransaction } from '@/database/transaction';
import { KbaQuestion } from './kba-question.entity';

/**
 * Writes of a user's questions, each one transaction with the statements on the user that must go
 * with it (issue 6): readers see the old questions or the new ones, never none and never a mix.
 * The answers are hashed before; nothing slow or async runs inside.
 */
@Injectable()
export class KbaQuestionRepository {
  constructor(private readonly ds: DataSource) {}

  /** `rows` and `alongside` (the user row that makes them visible), all or nothing. */
  async insertWith(rows: KbaQuestion[], alongside: SqlStep[]): Promise<void> {
    await runTransaction(this.ds, [...alongside, ...rows.map(insertStep)]);
  }

  /** The user's questions become `rows` (none, for a reset), with `alongside`, all or nothing. */
  async replace(userId: string, rows: KbaQuestion[], alongside: SqlStep[]): Promise<void> {
    await runTransaction(this.ds, [
      { name: 'delete', sql: 'DELETE FROM kba_question WHERE user_id = ?', params: [userId] },
      ...rows.map(insertStep),
      ...alongside,
    ]);
  }
}

function insertStep(q: KbaQuestion): SqlStep {
  return {
    name: `question ${q.position}`,
    sql: 'INSERT INTO kba_question (id, user_id, position, text, answer_hash) VALUES (?, ?, ?, ?, ?)',
    params: [q.id, q.userId, q.position, q.text, q.answerHash],
    affected: 1,
  };
}
