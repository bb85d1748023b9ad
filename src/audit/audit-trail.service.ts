import { Injectable } from '@nestjs/common';
import { AuditEvent } from './audit-event.entity';
import { AuditEventRepository } from './audit-event.repository';
import {
  EVENT_PAGE_DEFAULT,
  EventPage,
  EventQuery,
  EventView,
  boundMs,
  decodeCursor,
  encodeCursor,
} from './audit-query';

/**
 * Reading and expiring the audit trail (docs/api.md#staff-api): pages newest first, with filters,
 * and the purge of events older than AUDIT_RETENTION.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly events: AuditEventRepository) {}

  async page(q: EventQuery): Promise<EventPage> {
    const limit = q.limit ?? EVENT_PAGE_DEFAULT;
    const from = boundMs('from', q.from);
    const to = boundMs('to', q.to);
    const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const filter = { userId: q.user_id, type: q.type, requestId: q.request_id, from, to, beforeId };
    // One more than the page: whether there is a next page is known without a second query.
    const rows = await this.events.page(filter, limit + 1);
    const page = rows.slice(0, limit);
    return {
      events: page.map(toEventView),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  /** One idempotent DELETE: every replica's purge job may run it at once. */
  async purgeOlderThan(retentionMs: number): Promise<number> {
    return this.events.deleteBefore(Date.now() - retentionMs);
  }
}

export function toEventView(e: AuditEvent): EventView {
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    type: e.type,
    outcome: e.outcome,
    user_id: e.userId,
    institution_id: e.institutionId,
    client_id: e.clientId,
    staff_id: e.staffId,
    staff_sub: e.staffSub,
    staff_name: e.staffName,
    request_id: e.requestId,
    source_ip: e.sourceIp,
    detail: e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null,
  };
}
