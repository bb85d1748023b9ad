import { Injectable } from '@nestjs/common';
import { AuditEvent } from './audit-event.entity';
import { AuditEventRepository, type AuditFilter } from './audit-event.repository';
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
    const { rows, next_cursor, prev_cursor } = await this.rows(q);
    return { events: rows.map(toEventView), next_cursor, prev_cursor };
  }

  /**
   * One page of events as stored, newest first, with the cursors to the older and newer pages; `without`
   * leaves out what a reader is not shown (the console's timeline: the staff calls that went through).
   */
  async rows(
    q: EventQuery,
    without: Pick<AuditFilter, 'withoutStaffOk'> = {},
  ): Promise<{ rows: AuditEvent[]; next_cursor: string | null; prev_cursor: string | null }> {
    const limit = q.limit ?? EVENT_PAGE_DEFAULT;
    const from = boundMs('from', q.from);
    const to = boundMs('to', q.to);
    const at = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const filter = { userId: q.user_id, type: q.type, requestId: q.request_id, from, to, ...at, ...without };
    // One more than the page: whether there is a page beyond it is known without a second query.
    const found = await this.events.page(filter, limit + 1);
    const beyond = found.length > limit;
    if (at && 'afterId' in at) {
      // Newer than a page seen: the oldest after it come first, and the page it came from is older.
      const rows = found.slice(0, limit).reverse();
      return {
        rows,
        next_cursor: encodeCursor({ beforeId: rows.length ? rows[rows.length - 1].id : at.afterId + 1 }),
        prev_cursor: beyond && rows.length ? encodeCursor({ afterId: rows[0].id }) : null,
      };
    }
    const rows = found.slice(0, limit);
    return {
      rows,
      next_cursor: beyond ? encodeCursor({ beforeId: rows[rows.length - 1].id }) : null,
      // The first page has none newer; an older page's newer one starts just above it.
      prev_cursor: at ? encodeCursor({ afterId: rows.length ? rows[0].id : at.beforeId - 1 }) : null,
    };
  }

  /** One idempotent DELETE: every replica's purge job may run it at once. */
  async purgeOlderThan(retentionMs: number): Promise<number> {
    return this.events.deleteBefore(Date.now() - retentionMs);
  }
}

export function toEventView(e: AuditEvent): EventView {
  const detail = e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null;
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    type: e.type,
    outcome: e.outcome,
    user_id: e.userId,
    institution_id: e.institutionId,
    client_id: e.clientId,
    // Events from before the path had its column named it in their detail (login, second factor, send).
    path: e.path ?? (detail?.path === 'legacy' || detail?.path === 'oauth' ? detail.path : null),
    staff_id: e.staffId,
    staff_sub: e.staffSub,
    staff_name: e.staffName,
    request_id: e.requestId,
    source_ip: e.sourceIp,
    detail,
  };
}
