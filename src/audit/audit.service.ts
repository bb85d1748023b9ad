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
    this.bus.subscribe((events) => this.record(events));
  }

  /** The events of one flow as one INSERT of their rows, in order (issue 10: fewer writes per login). */
  private async record(published: readonly DomainEvent[]): Promise<void> {
    // A flood that is being throttled must not become a flood of writes (issue 10): metrics count those.
    const events = published.filter((e) => e.type !== EventType.Throttle);
    if (!events.length) return;
    const ctx = RequestContextStore.get();
    const at = Date.now();
    // On every login's path, so one plain INSERT rather than the ORM's query building (issue 10).
    await runSql(
      this.events.manager.connection,
      `INSERT INTO audit_event (at, type, outcome, user_id, institution_id, client_id, staff_id, staff_sub, staff_name, request_id, source_ip, detail)
       VALUES ${events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      events.flatMap((e) => [
        at,
        e.type,
        e.outcome,
        e.userId ?? null,
        e.institutionId ?? null,
        e.clientId ?? ctx?.clientId ?? null,
        ctx?.staffId ?? null,
        ctx?.staffSub ?? null,
        ctx?.staffName ?? null,
        ctx?.requestId ?? null,
        ctx?.sourceIp ?? null,
        e.detail ? JSON.stringify(e.detail) : null,
      ]),
    );
    for (const e of events) {
      this.logger.log({ event: e.type, outcome: e.outcome, user_id: e.userId ?? undefined }, 'audit');
    }
  }

  forUser(userId: string, limit = 100): Promise<AuditEvent[]> {
    return this.events.find({ where: { userId }, order: { id: 'DESC' }, take: limit });
  }
}
