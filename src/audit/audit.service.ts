import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RequestContextStore } from '@/common/http/request-context';
import { AuditEvent } from './audit-event.entity';

export interface AuditRecord {
  type: string;
  outcome: string;
  userId?: string | null;
  institutionId?: string | null;
  clientId?: string | null;
  /** Only identifiers, counts and reasons: never a password, passcode, answer, secret or token. */
  detail?: Record<string, unknown>;
}

/** Writes one audit event, with the request's id, source address, client and staff member. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async record(rec: AuditRecord): Promise<void> {
    const ctx = RequestContextStore.get();
    await this.events.insert({
      at: Date.now(),
      type: rec.type,
      outcome: rec.outcome,
      userId: rec.userId ?? null,
      institutionId: rec.institutionId ?? null,
      clientId: rec.clientId ?? ctx?.clientId ?? null,
      staffId: ctx?.staffId ?? null,
      requestId: ctx?.requestId ?? null,
      sourceIp: ctx?.sourceIp ?? null,
      detail: rec.detail ? JSON.stringify(rec.detail) : null,
    });
    this.logger.log({ event: rec.type, outcome: rec.outcome, user_id: rec.userId ?? undefined }, 'audit');
  }

  forUser(userId: string, limit = 100): Promise<AuditEvent[]> {
    return this.events.find({ where: { userId }, order: { id: 'DESC' }, take: limit });
  }
}
