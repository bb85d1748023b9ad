import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { randomToken } from '@/common/crypto/digest';
import { PasswordHasher } from '@/users/password-hasher';
import { normalizeAnswer } from './kba-answer';
import { KbaQuestion } from './kba-question.entity';

export interface KbaEnrollment {
  question: string;
  answer: string;
}
export interface KbaAnswer {
  question_id: string;
  text: string;
}

/** Security questions: stored with argon2id answer hashes, asked a fixed subset per challenge. */
@Injectable()
export class KbaService {
  constructor(
    @InjectRepository(KbaQuestion) private readonly questions: Repository<KbaQuestion>,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Written before the user row, under its id: invisible until the user exists. */
  async enroll(userId: string, items: KbaEnrollment[]): Promise<void> {
    const rows: KbaQuestion[] = [];
    for (const [position, item] of items.entries()) {
      rows.push(
        Object.assign(new KbaQuestion(), {
          id: randomToken(9),
          userId,
          position,
          text: item.question.trim(),
          answerHash: await this.hasher.hash(normalizeAnswer(item.answer)),
        }),
      );
    }
    if (rows.length) await this.questions.insert(rows);
  }

  async removeAllFor(userId: string): Promise<void> {
    await this.questions.delete({ userId });
  }

  listFor(userId: string): Promise<KbaQuestion[]> {
    return this.questions.find({ where: { userId }, order: { position: 'ASC' } });
  }

  async countFor(userId: string): Promise<number> {
    return this.questions.countBy({ userId });
  }

  /** Draws `n` of the user's questions at random, once per challenge (the ids go in the challenge row). */
  async draw(userId: string, n: number): Promise<KbaQuestion[]> {
    const all = await this.listFor(userId);
    for (let i = all.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, n).sort((a, b) => a.position - b.position);
  }

  byIds(ids: string[]): Promise<KbaQuestion[]> {
    return this.questions.findBy({ id: In(ids) });
  }

  /** True only if every asked question has exactly one answer and every answer is right. */
  async judge(asked: string[], answers: KbaAnswer[]): Promise<boolean> {
    const rows = new Map((await this.byIds(asked)).map((q) => [q.id, q]));
    let allRight = rows.size === asked.length;
    for (const id of asked) {
      const a = answers.find((x) => x.question_id === id);
      const row = rows.get(id);
      // Verify every answer even after a wrong one, so the time taken says nothing about which was wrong.
      const right = row && a ? await this.hasher.verify(row.answerHash, normalizeAnswer(a.text)) : false;
      allRight = allRight && right;
    }
    return allRight;
  }
}
