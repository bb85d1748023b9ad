import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console's search (docs/console.md, "Finding a customer") and its recent locks, each by an index:
 * a username prefix (`LIKE 'abc%'` can use a PostgreSQL index only with the pattern operator class,
 * and a SQLite one only under NOCASE while LIKE ignores ASCII case), an email whatever its case,
 * a phone as stored (E.164), and the users locked now.
 */
export class UserSearch1764910000000 implements MigrationInterface {
  name = 'UserSearch1764910000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.query(
      pg
        ? 'CREATE INDEX idx_users_username_prefix ON users (username_norm varchar_pattern_ops)'
        : 'CREATE INDEX idx_users_username_prefix ON users (username_norm COLLATE NOCASE)',
    );
    await q.query('CREATE INDEX idx_users_email_lower ON users (lower(email))');
    await q.query('CREATE INDEX idx_users_phone ON users (phone)');
    await q.query('CREATE INDEX idx_users_locked_until ON users (locked_until)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of [
      'idx_users_locked_until',
      'idx_users_phone',
      'idx_users_email_lower',
      'idx_users_username_prefix',
    ])
      await q.query(`DROP INDEX ${name}`);
  }
}
