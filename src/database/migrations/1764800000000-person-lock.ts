import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

const GUARD_COLUMNS = [
  new TableColumn({ name: 'failures', type: 'integer', isNullable: false, default: 0 }),
  new TableColumn({ name: 'in_flight', type: 'integer', isNullable: false, default: 0 }),
  new TableColumn({ name: 'lock_count', type: 'integer', isNullable: false, default: 0 }),
  new TableColumn({ name: 'locked_until', type: 'bigint', isNullable: false, default: 0 }),
  new TableColumn({ name: 'locked_at', type: 'bigint', isNullable: true }),
  new TableColumn({ name: 'lock_reason', type: 'varchar', length: '200', isNullable: true }),
  new TableColumn({ name: 'guard_updated_at', type: 'bigint', isNullable: false, default: 0 }),
];

/**
 * Locks follow the person, not what was typed: the user row holds its own lock and its count of wrong
 * second-factor answers, so a customer who can sign in with several identifiers (username, email,
 * customer number) is one count and one lock, and a rename at the bank carries them. `login_guard`
 * keeps counting wrong passwords per typed name, where nobody can say yet who was meant, and a challenge
 * remembers the name typed at its login, so its wrong answers count on that name as well as on the person.
 *
 * A lock held today by the guard of a user's current username is copied to the user, so nobody
 * locked before the upgrade is unlocked by it.
 */
export class PersonLock1764800000000 implements MigrationInterface {
  name = 'PersonLock1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('users', GUARD_COLUMNS);
    await q.addColumn(
      'challenge',
      new TableColumn({ name: 'login_name', type: 'varchar', length: '256', isNullable: true }),
    );
    const guard = `FROM login_guard g WHERE g.institution_id = users.institution_id AND g.username_norm = users.username_norm`;
    await q.query(
      `UPDATE users SET
         locked_until = (SELECT g.locked_until ${guard}),
         locked_at = (SELECT g.locked_at ${guard}),
         lock_reason = (SELECT g.lock_reason ${guard}),
         lock_count = (SELECT g.lock_count ${guard}),
         guard_updated_at = (SELECT g.updated_at ${guard})
       WHERE EXISTS (SELECT 1 ${guard} AND g.locked_until > 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('challenge', 'login_name');
    for (const c of [...GUARD_COLUMNS].reverse()) await q.dropColumn('users', c.name);
  }
}
