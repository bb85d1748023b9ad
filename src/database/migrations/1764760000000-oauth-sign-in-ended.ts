import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * A sign-in row is now made only once the password was right (the pending sign-in before it lives in a
 * sealed cookie), and kept, ended, until it expires: `ended_at`, set by one conditional UPDATE, is what
 * lets exactly one of two concurrent posts give the sign-in's code. Rows of the earlier design expire
 * and are purged as before.
 */
export class OAuthSignInEnded1764760000000 implements MigrationInterface {
  name = 'OAuthSignInEnded1764760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('oauth_sign_in', new TableColumn({ name: 'ended_at', type: 'bigint', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('oauth_sign_in', 'ended_at');
  }
}
