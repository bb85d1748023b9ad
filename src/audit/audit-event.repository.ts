import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { GroupedWrites } from '@/database/grouped-writes';
import { runSql } from '@/database/sql';
import { AuditEvent } from './audit-event.entity';

/** An audit row about to be written: everything but the id the database gives it. */
export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** What a page of the trail is filtered by, all optional and combined with AND; `beforeId` pages on, `afterId` back. */
export interface AuditFilter {
  userId?: string;
  type?: string;
  requestId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  beforeId?: number;
  afterId?: number;
  /** Leaves out the staff calls that went through (the console shows them by what they did). */
  withoutStaffOk?: boolean;
}

/** audit_event's statements: written on every flow, read by staff, purged past AUDIT_RETENTION. */
@Injectable()
export class AuditEventRepository {
  // 12 parameters a row: 200 rows stay far below SQLite's and PostgreSQL's limits on parameters.
  private readonly grouped = new GroupedWrites<NewAuditEvent>((rows) => this.insertNow(rows), 200);

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /**
   * The rows, in order, committed when this resolves: with those of the other flows of the same turn of the
   * event loop, as one INSERT (src/database/grouped-writes.ts). On every Plaid call's path, refusals included.
   */
  insertAll(rows: NewAuditEvent[]): Promise<void> {
    return this.grouped.write(rows);
  }

  /** One INSERT of the rows, in order: plain SQL rather than the ORM's query building. */
  private async insertNow(rows: NewAuditEvent[]): Promise<void> {
    await runSql(
      this.events.manager.connection,
      `INSERT INTO audit_event (at, type, outcome, user_id, institution_id, client_id, path, staff_id, staff_sub, staff_name, request_id, source_ip, detail)
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flatMap((e) => [
        e.at,
        e.type,
        e.outcome,
        e.userId,
        e.institutionId,
        e.clientId,
        e.path,
        e.staffId,
        e.staffSub,
        e.staffName,
        e.requestId,
        e.sourceIp,
        e.detail,
      ]),
    );
  }

  /** The user's latest events, newest first. */
  latestFor(userId: string, limit: number): Promise<AuditEvent[]> {
    return this.events.find({ where: { userId }, order: { id: 'DESC' }, take: limit });
  }

  /**
   * Events matching `f`, at most `limit`: newest first, but with `afterId` the oldest after it first
   * (the page just newer than one already seen), which the caller turns round.
   */
  page(f: AuditFilter, limit: number): Promise<AuditEvent[]> {
    const qb = this.events.createQueryBuilder('e');
    if (f.userId !== undefined) qb.andWhere('e.user_id = :userId', { userId: f.userId });
    if (f.type !== undefined) qb.andWhere('e.type = :type', { type: f.type });
    if (f.requestId !== undefined) qb.andWhere('e.request_id = :requestId', { requestId: f.requestId });
    if (f.from !== undefined) qb.andWhere('e.at >= :from', { from: f.from });
    if (f.to !== undefined) qb.andWhere('e.at < :to', { to: f.to });
    if (f.beforeId !== undefined) qb.andWhere('e.id < :before', { before: f.beforeId });
    if (f.afterId !== undefined) qb.andWhere('e.id > :after', { after: f.afterId });
    if (f.withoutStaffOk) qb.andWhere("NOT (e.type = 'admin_call' AND e.outcome = 'ok')");
    return qb
      .orderBy('e.id', f.afterId !== undefined ? 'ASC' : 'DESC')
      .take(limit)
      .getMany();
  }

  /** One idempotent DELETE: every replica's purge job may run it at once. */
  async deleteBefore(at: number): Promise<number> {
    return (await this.events.delete({ at: LessThan(at) })).affected ?? 0;
  }
}
