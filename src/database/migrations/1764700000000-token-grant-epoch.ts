import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * OAuth tokens remember the user's auth epoch of the sign-in their grant came from, so that a refresh
 * after a password change, a factor reset or a lock is refused (docs/oauth.md). Tokens issued before
 * this migration take the user's epoch as it is now: their customers keep their connections, and the
 * next change of that epoch ends them like any other.
 */
export class TokenGrantEpoch1764700000000 implements MigrationInterface {
  name = 'TokenGrantEpoch1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('auth_token', new TableColumn({ name: 'user_epoch', type: 'integer', isNullable: true }));
    await q.query(
      `UPDATE auth_token SET user_epoch = (SELECT users.auth_epoch FROM users WHERE users.id = auth_token.user_id)
       WHERE kind <> 'auth_token'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('auth_token', 'user_epoch');
  }
}
