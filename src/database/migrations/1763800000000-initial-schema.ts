import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

// Engine-neutral: the Table API renders the same schema on SQLite and PostgreSQL.
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const int = (name: string, def?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: false,
  default: def,
});
const ms = (name: string, nullable = false, def?: number): TableColumnOptions => ({
  name,
  type: 'bigint',
  isNullable: nullable,
  default: def,
});
const text = (name: string, nullable = false, def?: string): TableColumnOptions => ({
  name,
  type: 'text',
  isNullable: nullable,
  default: def,
});
const serial = (name: string): TableColumnOptions => ({
  name,
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});
const pk = (c: TableColumnOptions): TableColumnOptions => ({ ...c, isPrimary: true });

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({ name: 'partner_client', columns: [pk(str('id', 64)), str('name', 200), ms('created_at')] }),
    );
    await q.createTable(
      new Table({
        name: 'partner_secret',
        columns: [
          pk(str('id', 32)),
          str('client_id', 64),
          int('slot'),
          str('secret_hash', 64),
          ms('created_at'),
          ms('revoked_at', true),
        ],
        indices: [new TableIndex({ name: 'idx_partner_secret_client', columnNames: ['client_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'staff_key',
        columns: [
          pk(str('id', 32)),
          str('name', 200),
          str('role', 20),
          str('key_hash', 64),
          ms('created_at'),
          ms('revoked_at', true),
        ],
        indices: [new TableIndex({ name: 'uq_staff_key_hash', columnNames: ['key_hash'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          pk(str('id', 32)),
          str('institution_id', 64),
          str('username', 256),
          str('username_norm', 256),
          str('password_hash', 200),
          str('phone', 20, true),
          str('email', 254, true),
          str('totp_secret', 200, true),
          ms('totp_last_step', true),
          str('mfa_preference', 8, true),
          int('terms_accepted_version'),
          ms('created_at'),
          ms('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_users_institution_username',
            columnNames: ['institution_id', 'username_norm'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'kba_question',
        columns: [pk(str('id', 32)), str('user_id', 32), int('position'), str('text', 500), str('answer_hash', 200)],
        indices: [new TableIndex({ name: 'idx_kba_question_user', columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'login_guard',
        columns: [
          pk(str('institution_id', 64)),
          pk(str('username_norm', 256)),
          int('failures', 0),
          int('lock_count', 0),
          ms('locked_until', false, 0),
          ms('locked_at', true),
          str('lock_reason', 200, true),
          ms('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'challenge',
        columns: [
          pk(str('id', 43)),
          str('user_id', 32),
          str('client_id', 64),
          str('kind', 8),
          str('state', 16),
          int('attempts', 0),
          int('sends', 0),
          ms('last_sent_at', false, 0),
          str('code_hmac', 64, true),
          ms('code_expires_at', true),
          text('offered', false, "'[]'"),
          str('locale', 8),
          ms('created_at'),
          ms('expires_at'),
          ms('spent_at', true),
        ],
        indices: [new TableIndex({ name: 'idx_challenge_expires', columnNames: ['expires_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'auth_token',
        columns: [
          pk(str('id', 32)),
          str('token_hash', 64),
          str('user_id', 32),
          str('client_id', 64),
          str('institution_id', 64),
          ms('issued_at'),
          ms('expires_at'),
          ms('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_auth_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'idx_auth_token_user', columnNames: ['user_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outbox_message',
        columns: [
          serial('id'),
          str('channel', 8),
          str('recipient', 254),
          text('body'),
          str('challenge_id', 43, true),
          ms('created_at'),
        ],
        indices: [new TableIndex({ name: 'idx_outbox_recipient', columnNames: ['recipient'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_event',
        columns: [
          serial('id'),
          ms('at'),
          str('type', 40),
          str('outcome', 40),
          str('user_id', 32, true),
          str('institution_id', 64, true),
          str('client_id', 64, true),
          str('staff_id', 32, true),
          str('request_id', 128, true),
          str('source_ip', 64, true),
          text('detail', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_audit_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'idx_audit_at', columnNames: ['at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({ name: 'service_setting', columns: [pk(str('key', 64)), text('value'), ms('updated_at')] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'service_setting',
      'audit_event',
      'outbox_message',
      'auth_token',
      'challenge',
      'login_guard',
      'kba_question',
      'users',
      'staff_key',
      'partner_secret',
      'partner_client',
    ]) {
      await q.dropTable(t);
    }
  }
}
