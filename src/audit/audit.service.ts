import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RequestContextStore } from '@/common/http/request-context';
import { type DomainEvent, EventType } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { runSql } from '@/database/sql';
import { AuditEvent } from './audit-event.entity';

/**
 * The audit trail is one subscriber of the domain events: each becomes a row with the request's id,
 * source address, Plaid client and staff member (PRODUCT.md section 9).
 */
@Injectable()
export class AuditService implements OnModuleInit {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly bus: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe((e) => this.record(e));
  }

  private async record(e: DomainEvent): Promise<void> {
    // A flood that is being throttled must not become a flood of writes (issue 10): metrics count those.
    if (e.type === EventType.Throttle) return;
    const ctx = RequestContextStore.get();
    // On every login's path, so one plain INSERT rather than the ORM's query building (issue 10).
    await runSql(
      this.events.manager.connection,
      `INSERT INTO audit_event (at, type, outcome, user_id, institution_id, client_id, staff_id, request_id, source_ip, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        Date.now(),
        e.type,
        e.outcome,
        e.userId ?? null,
        e.institutionId ?? null,
        e.clientId ?? ctx?.clientId ?? null,
        ctx?.staffId ?? null,
        ctx?.requestId ?? null,
        ctx?.sourceIp ?? null,
        e.detail ? JSON.stringify(e.detail) : null,
      ],
    );
    this.logger.log({ event: e.type, outcome: e.outcome, user_id: e.userId ?? undefined }, 'audit');
  }

  forUser(userId: string, limit = 100): Promise<AuditEvent[]> {
    return this.events.find({ where: { userId }, order: { id: 'DESC' }, take: limit });
  }
}
