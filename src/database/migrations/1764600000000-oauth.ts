import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';
import { runSql } from '@/database/sql';

const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const ms = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable });
const pk = (c: TableColumnOptions): TableColumnOptions => ({ ...c, isPrimary: true });

// Plaid's redirect URI: what every client had implicitly before redirect URIs were registered.
const PLAID_REDIRECT_URI = 'https://cdn.plaid.com/link/v2/stable/oauth.html';
const SANDBOX_LOOPBACK = ['http://127.0.0.1/', 'http://127.0.0.1/callback'];

/**
 * Plaid Exchange OAuth (docs/oauth.md): registered redirect URIs per Plaid client;
 * authorization codes (single use, bound to client, redirect URI and PKCE challenge); sign-ins in
 * progress, bound to a browser cookie; and OAuth's access and refresh tokens kept beside the legacy
 * auth_tokens (one table: one introspection, one revocation, one "password change revokes all").
 */
export class OAuth1764600000000 implements MigrationInterface {
  name = 'OAuth1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'auth_token',
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', isNullable: false, default: "'auth_token'" }),
    );
    await q.addColumn('auth_token', new TableColumn({ ...str('grant_id', 64, true) }));
    await q.createIndex('auth_token', new TableIndex({ name: 'idx_auth_token_grant', columnNames: ['grant_id'] }));

    await q.createTable(
      new Table({
        name: 'partner_redirect_uri',
        columns: [pk(str('client_id', 64)), pk(str('uri', 512)), ms('created_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'oauth_code',
        columns: [
          pk(str('code_hash', 64)),
          str('client_id', 64),
          str('redirect_uri', 512),
          str('user_id', 32),
          str('code_challenge', 128, true),
          str('nonce', 256, true),
          { name: 'user_epoch', type: 'integer', isNullable: false },
          ms('auth_time'),
          ms('expires_at'),
          ms('used_at', true),
          ms('reused_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'oauth_sign_in',
        columns: [
          pk(str('id_hash', 64)),
          str('client_id', 64),
          str('redirect_uri', 512),
          { name: 'state', type: 'text', isNullable: false },
          str('code_challenge', 128, true),
          str('nonce', 256, true),
          str('institution_id', 64, true),
          str('locale', 8),
          str('user_id', 32, true),
          str('challenge_id', 32, true),
          { name: 'challenge', type: 'text', isNullable: true },
          ms('expires_at'),
        ],
      }),
    );

    // Clients made before this migration keep working with Plaid's redirect URI; an existing sandbox
    // gets the loopback URIs a new one is seeded with (docs/oauth.md).
    const now = Date.now();
    const clients = (await q.query('SELECT id FROM partner_client')) as { id: string }[];
    for (const { id } of clients) {
      const uris = id === 'sandbox-client' ? [PLAID_REDIRECT_URI, ...SANDBOX_LOOPBACK] : [PLAID_REDIRECT_URI];
      for (const uri of uris)
        await runSql(q.manager, 'INSERT INTO partner_redirect_uri (client_id, uri, created_at) VALUES (?, ?, ?)', [
          id,
          uri,
          now,
        ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('oauth_sign_in');
    await q.dropTable('oauth_code');
    await q.dropTable('partner_redirect_uri');
    await q.dropIndex('auth_token', 'idx_auth_token_grant');
    await q.dropColumn('auth_token', 'grant_id');
    await q.dropColumn('auth_token', 'kind');
  }
}
