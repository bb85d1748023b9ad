import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { randomToken } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { TransactionAborted } from '@/database/transaction';
import type { CheckClass } from '@/users/check-admission';
import { PasswordHasher } from '@/users/password-hasher';
import type { User } from '@/users/user.entity';
import { bumpAuthEpochStep } from '@/users/user-statements';
import { UsersService } from '@/users/users.service';
import { normalizeAnswer } from './kba-answer';
import { KbaQuestion } from './kba-question.entity';
import { KbaQuestionRepository, insertQuestionStep } from './kba-question.repository';

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
    private readonly repo: KbaQuestionRepository,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * A new user with questions: the users module makes the user, with its questions in the same
   * transaction, so a user who should answer questions never exists without them. A taken username
   * is CONFLICT (UsersService.insert).
   */
  async enrollNewUser(user: User, items: KbaEnrollment[]): Promise<void> {
    const rows = await this.hashAll(user.id, items);
    await this.users.insert(user, rows.map(insertQuestionStep));
  }

  /**
   * Replaces all the user's questions (none: a reset) and moves the user's auth_epoch on, in one
   * transaction: a KBA-only user is never seen without questions, so never let in on the
   * password alone, and a challenge opened on the old questions is refused from then on.
   */
  async replace(userId: string, items: KbaEnrollment[]): Promise<void> {
    const rows = await this.hashAll(userId, items);
    try {
      await this.repo.replace(userId, rows, [bumpAuthEpochStep(userId, Date.now())]);
    } catch (err) {
      if (err instanceof TransactionAborted) throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.user'));
      throw err;
    }
  }

  /** argon2id of each normalised answer, all before any transaction opens (nothing may await inside). */
  private async hashAll(userId: string, items: KbaEnrollment[]): Promise<KbaQuestion[]> {
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
    return rows;
  }

  listFor(userId: string): Promise<KbaQuestion[]> {
    return this.repo.listFor(userId);
  }

  /** Asked on every login that passes its password (which factors does the user have?). */
  countFor(userId: string): Promise<number> {
    return this.repo.countFor(userId);
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
    return this.repo.byIds(ids);
  }

  /**
   * True only if every asked question has exactly one answer and every answer is right. The answers
   * are verified as one admitted check of `cls` (503 when overloaded, nothing judged), each of them
   * even after a wrong one, so the time taken says nothing about which was wrong.
   */
  async judge(asked: string[], answers: KbaAnswer[], cls: CheckClass): Promise<boolean> {
    const rows = new Map((await this.byIds(asked)).map((q) => [q.id, q]));
    const pairs = asked.map((id) => ({ row: rows.get(id), answer: answers.find((x) => x.question_id === id) }));
    const complete = pairs.every((p) => p.row && p.answer);
    const checked = await this.hasher.verifyAll(
      pairs
        .filter((p) => p.row && p.answer)
        .map((p) => ({ hash: p.row!.answerHash, secret: normalizeAnswer(p.answer!.text) })),
      cls,
    );
    return complete && checked.every(Boolean);
  }
}
