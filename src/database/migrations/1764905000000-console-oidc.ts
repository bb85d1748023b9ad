import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

const PERSON_COLUMNS = [
  // The provider's `sub` (OpenID Connect Core 1.0, section 2: at most 255 ASCII characters).
  new TableColumn({ name: 'subject', type: 'varchar', length: '255', isNullable: true }),
  new TableColumn({ name: 'person_name', type: 'varchar', length: '200', isNullable: true }),
  new TableColumn({ name: 'role', type: 'varchar', length: '20', isNullable: true }),
  // The ID token, sealed under ENCRYPTION_KEYS: the id_token_hint of the provider's logout.
  new TableColumn({ name: 'id_token', type: 'text', isNullable: true }),
];

// Who did it, for a person with no staff key: their `sub` at the provider and the name it gave.
const AUDIT_COLUMNS = [
  new TableColumn({ name: 'staff_sub', type: 'varchar', length: '255', isNullable: true }),
  new TableColumn({ name: 'staff_name', type: 'varchar', length: '200', isNullable: true }),
];

/**
 * A console session is a staff key's, or a person's signed in through the bank's OpenID Connect
 * provider: then it holds who they are at the provider and the role their claim gave, and no staff key;
 * and the audit events of their requests name them as staff_id names a staff key.
 */
export class ConsoleOidc1764905000000 implements MigrationInterface {
  name = 'ConsoleOidc1764905000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('audit_event', AUDIT_COLUMNS);
    await q.addColumns('console_session', PERSON_COLUMNS);
    await q.changeColumn(
      'console_session',
      'staff_id',
      new TableColumn({ name: 'staff_id', type: 'varchar', length: '32', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // A person's session has no staff key to keep: those sessions end.
    await q.query('DELETE FROM console_session WHERE staff_id IS NULL');
    await q.changeColumn(
      'console_session',
      'staff_id',
      new TableColumn({ name: 'staff_id', type: 'varchar', length: '32', isNullable: false }),
    );
    for (const c of [...PERSON_COLUMNS].reverse()) await q.dropColumn('console_session', c.name);
    for (const c of [...AUDIT_COLUMNS].reverse()) await q.dropColumn('audit_event', c.name);
  }
}
