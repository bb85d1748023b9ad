import { Injectable } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';

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
  constructor(private readonly outbox: OutboxRepository) {}

  async purgeOlderThan(retentionMs: number): Promise<number> {
    return this.outbox.deleteBefore(Date.now() - retentionMs);
  }

  async list(to: string | undefined, limit = 50): Promise<OutboxView[]> {
    const rows = await this.outbox.latest(to, limit);
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      to: r.recipient,
      body: r.body,
      created_at: new Date(r.createdAt).toISOString(),
    }));
  }
}
