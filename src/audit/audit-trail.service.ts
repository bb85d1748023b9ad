import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AuditEvent } from './audit-event.entity';
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
 * Reading and expiring the audit trail (PRODUCT.md section 9): pages newest first, with filters,
 * and the purge of events older than AUDIT_RETENTION.
 */
@Injectable()
export class AuditTrail {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async page(q: EventQuery): Promise<EventPage> {
    const limit = q.limit ?? EVENT_PAGE_DEFAULT;
    const from = boundMs('from', q.from);
    const to = boundMs('to', q.to);
    const qb = this.events.createQueryBuilder('e');
    if (q.user_id !== undefined) qb.andWhere('e.user_id = :userId', { userId: q.user_id });
    if (q.type !== undefined) qb.andWhere('e.type = :type', { type: q.type });
    if (q.request_id !== undefined) qb.andWhere('e.request_id = :requestId', { requestId: q.request_id });
    if (from !== undefined) qb.andWhere('e.at >= :from', { from });
    if (to !== undefined) qb.andWhere('e.at < :to', { to });
    if (q.cursor !== undefined) qb.andWhere('e.id < :before', { before: decodeCursor(q.cursor) });
    // One more than the page: whether there is a next page is known without a second query.
    const rows = await qb
      .orderBy('e.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    return {
      events: page.map(toEventView),
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  /** One idempotent DELETE: every replica's purge job may run it at once. */
  async purgeOlderThan(retentionMs: number): Promise<number> {
    return (await this.events.delete({ at: LessThan(Date.now() - retentionMs) })).affected ?? 0;
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
