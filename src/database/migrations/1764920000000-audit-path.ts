import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The way a customer came, on every audit event of the request (docs/console.md, "The timeline"):
 * `legacy` (Plaid's API) or `oauth` (the sign-in pages and the token endpoint). Older rows stay null;
 * those of a login, second factor or send have it in `detail.path`, where the console reads it then.
 */
export class AuditPath1764920000000 implements MigrationInterface {
  name = 'AuditPath1764920000000';

  async up(q: QueryRunner): Promise<void> {
    // ALTER TABLE on both engines: TypeORM's addColumn copies a SQLite table, and the trail is the largest one.
    await q.query('ALTER TABLE audit_event ADD COLUMN path varchar(16)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('audit_event', 'path');
  }
}
