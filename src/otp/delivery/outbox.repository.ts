import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity';

/** outbox_message's statements: the sandbox's deliveries. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectRepository(OutboxMessage) private readonly outbox: Repository<OutboxMessage>) {}

  async insert(message: Omit<OutboxMessage, 'id'>): Promise<void> {
    await this.outbox.insert(message);
  }

  /** The latest messages (to `recipient` only, when given), newest first. */
  latest(recipient: string | undefined, limit: number): Promise<OutboxMessage[]> {
    return this.outbox.find({ where: recipient ? { recipient } : {}, order: { id: 'DESC' }, take: limit });
  }

  async deleteBefore(createdAt: number): Promise<number> {
    return (await this.outbox.delete({ createdAt: LessThan(createdAt) })).affected ?? 0;
  }
}
