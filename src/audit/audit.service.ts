import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RequestContextStore } from '@/common/http/request-context';
import { type DomainEvent, EventType } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { AuditEvent } from './audit-event.entity';
import { AuditEventRepository } from './audit-event.repository';

/**
 * The audit trail is one subscriber of the domain events: each becomes a row with the request's id,
 * source address, Plaid client and staff member (docs/api.md#staff-api).
 */
@Injectable()
export class AuditService implements OnModuleInit {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly events: AuditEventRepository,
    private readonly bus: DomainEvents,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe((events) => this.record(events));
  }

  /** The events of one flow as one INSERT of their rows, in order: fewer writes per login (BENCHMARKS.md). */
  private async record(published: readonly DomainEvent[]): Promise<void> {
    // A flood that is being throttled must not become a flood of writes: metrics count those.
    const events = published.filter((e) => e.type !== EventType.Throttle);
    if (!events.length) return;
    const ctx = RequestContextStore.get();
    const at = Date.now();
    await this.events.insertAll(
      events.map((e) => ({
        at,
        type: e.type,
        outcome: e.outcome,
        userId: e.userId ?? null,
        institutionId: e.institutionId ?? null,
        clientId: e.clientId ?? ctx?.clientId ?? null,
        path: pathOf(e) ?? ctx?.path ?? null,
        staffId: ctx?.staffId ?? null,
        staffSub: ctx?.staffSub ?? null,
        staffName: ctx?.staffName ?? null,
        requestId: ctx?.requestId ?? null,
        sourceIp: ctx?.sourceIp ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
      })),
    );
    for (const e of events) {
      this.logger.log({ event: e.type, outcome: e.outcome, user_id: e.userId ?? undefined }, 'audit');
    }
  }

  forUser(userId: string, limit = 100): Promise<AuditEvent[]> {
    return this.events.latestFor(userId, limit);
  }
}

/** The path a flow named on its event (login, second factor, send), else none: the request's then. */
function pathOf(e: DomainEvent): string | undefined {
  const path = e.detail?.path;
  return path === 'legacy' || path === 'oauth' ? path : undefined;
}
