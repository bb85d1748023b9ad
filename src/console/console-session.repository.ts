import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { ConsoleSession } from './console-session.entity';

/** console_session's statements, by the SHA-256 of the cookie's value. */
@Injectable()
export class ConsoleSessionRepository {
  constructor(@InjectRepository(ConsoleSession) private readonly sessions: Repository<ConsoleSession>) {}

  /** Sessions last seen before `before`: an idempotent DELETE any replica may run. */
  async deleteSeenBefore(before: number): Promise<void> {
    await this.sessions.delete({ lastSeenAt: LessThan(before) });
  }

  /** Sessions opened before `before`: an idempotent DELETE any replica may run. */
  async deleteCreatedBefore(before: number): Promise<void> {
    await this.sessions.delete({ createdAt: LessThan(before) });
  }

  async insert(session: ConsoleSession): Promise<void> {
    await this.sessions.insert(session);
  }

  /**
   * Marks the session seen at `now` if it was seen after `seenAfter` and opened after `createdAfter`,
   * in one conditional UPDATE: true when it was alive and is touched.
   */
  async touchIfAlive(idHash: string, now: number, seenAfter: number, createdAfter: number): Promise<boolean> {
    const r = await this.sessions.update(
      { idHash, lastSeenAt: MoreThan(seenAfter), createdAt: MoreThan(createdAfter) },
      { lastSeenAt: now },
    );
    return !!r.affected;
  }

  findByHash(idHash: string): Promise<ConsoleSession | null> {
    return this.sessions.findOneBy({ idHash });
  }

  async delete(idHash: string): Promise<void> {
    await this.sessions.delete({ idHash });
  }
}
