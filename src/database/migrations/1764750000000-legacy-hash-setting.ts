import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The settings of imported password hashes not upgraded yet, so that every login check costs one
 * verify of each and its time does not tell which usernames exist (docs/security.md, "Imported passwords").
 */
export class LegacyHashSetting1764750000000 implements MigrationInterface {
  name = 'LegacyHashSetting1764750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'legacy_hash_setting',
        columns: [
          { name: 'setting', type: 'varchar', length: '64', isPrimary: true },
          { name: 'created_at', type: 'bigint', isNullable: false },
        ],
      }),
    );
    // Hashes imported before this migration: bcrypt by its cost prefix, argon2id whose parameters are
    // not ours (m=19456, t=2, p=1 in any order) by its parameters.
    const bcrypt = (await q.query(
      "SELECT DISTINCT substr(password_hash, 1, 7) AS setting FROM users WHERE password_hash LIKE '$2%'",
    )) as { setting: string }[];
    const orders = ['m=19456,t=2,p=1', 'm=19456,p=1,t=2', 't=2,m=19456,p=1', 't=2,p=1,m=19456'];
    const ours = [...orders, 'p=1,m=19456,t=2', 'p=1,t=2,m=19456']
      .map((params) => `AND password_hash NOT LIKE '$argon2id$v=19$${params}$%'`)
      .join(' ');
    const argon = (await q.query(
      `SELECT DISTINCT substr(password_hash, 1, 48) AS head FROM users WHERE password_hash LIKE '$argon2id$%' ${ours}`,
    )) as { head: string }[];
    const settings = new Set(bcrypt.map((r) => r.setting));
    for (const { head } of argon) settings.add(`${head.split('$').slice(0, 4).join('$')}$`);
    for (const setting of settings)
      await q.query(
        q.connection.options.type === 'postgres'
          ? 'INSERT INTO legacy_hash_setting (setting, created_at) VALUES ($1, $2)'
          : 'INSERT INTO legacy_hash_setting (setting, created_at) VALUES (?, ?)',
        [setting, Date.now()],
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('legacy_hash_setting');
  }
}
