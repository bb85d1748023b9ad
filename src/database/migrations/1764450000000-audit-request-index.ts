import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * `GET /admin/events?request_id=` finds the events of one request (what support staff quote
 * from an error envelope) without scanning the whole trail.
 */
export class AuditRequestIndex1764450000000 implements MigrationInterface {
  name = 'AuditRequestIndex1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('audit_event', new TableIndex({ name: 'idx_audit_request', columnNames: ['request_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('audit_event', 'idx_audit_request');
  }
}
