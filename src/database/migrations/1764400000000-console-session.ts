import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Server-side sessions of the support console, shared by every replica. */
export class ConsoleSession1764400000000 implements MigrationInterface {
  name = 'ConsoleSession1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'console_session',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'staff_id', type: 'varchar', length: '32', isNullable: false },
          { name: 'created_at', type: 'bigint', isNullable: false },
          { name: 'last_seen_at', type: 'bigint', isNullable: false },
        ],
        indices: [new TableIndex({ name: 'idx_console_session_seen', columnNames: ['last_seen_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('console_session');
  }
}
