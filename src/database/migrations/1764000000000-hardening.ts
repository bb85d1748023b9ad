import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The hardening: attempts in flight kept apart from judged failures (so a right password
 * racing wrong ones never locks early); a per-user authentication epoch that a password change, a
 * factor reset or a lock moves on, ending every open challenge and every login that checked the old
 * password; the epoch each challenge was opened under; the send methods a provider refused for good.
 */
export class Hardening1764000000000 implements MigrationInterface {
  name = 'Hardening1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'login_guard',
      new TableColumn({ name: 'in_flight', type: 'integer', isNullable: false, default: 0 }),
    );
    await q.addColumn('users', new TableColumn({ name: 'auth_epoch', type: 'integer', isNullable: false, default: 0 }));
    await q.addColumn(
      'challenge',
      new TableColumn({ name: 'user_epoch', type: 'integer', isNullable: false, default: 0 }),
    );
    await q.addColumn(
      'challenge',
      new TableColumn({ name: 'refused_methods', type: 'varchar', length: '200', isNullable: false, default: "''" }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('challenge', 'refused_methods');
    await q.dropColumn('challenge', 'user_epoch');
    await q.dropColumn('users', 'auth_epoch');
    await q.dropColumn('login_guard', 'in_flight');
  }
}
