import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxView {
  id: number;
  channel: string;
  to: string;
  body: string;
  created_at: string;
}

/** GET /admin/outbox: what the sandbox delivered, newest first. */
@Injectable()
export class OutboxService {
  constructor(@InjectRepository(OutboxMessage) private readonly outbox: Repository<OutboxMessage>) {}

  async purgeOlderThan(retentionMs: number): Promise<number> {
    return (await this.outbox.delete({ createdAt: LessThan(Date.now() - retentionMs) })).affected ?? 0;
  }

  async list(to: string | undefined, limit = 50): Promise<OutboxView[]> {
    const rows = await this.outbox.find({ where: to ? { recipient: to } : {}, order: { id: 'DESC' }, take: limit });
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      to: r.recipient,
      body: r.body,
      created_at: new Date(r.createdAt).toISOString(),
    }));
  }
}
