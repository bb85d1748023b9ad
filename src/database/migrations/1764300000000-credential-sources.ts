import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Credential sources (docs/credential-sources.md): where a user comes from (`local`, `http`,
 * `ldap`) and, for a shadow user, the source's stable reference for them. A shadow user is found by
 * (institution, source, reference), never by username, so a user renamed at the bank keeps its
 * `user_id`; the unique index makes two first logins at once make one user.
 */
export class CredentialSources1764300000000 implements MigrationInterface {
  name = 'CredentialSources1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'users',
      new TableColumn({ name: 'source', type: 'varchar', length: '8', isNullable: false, default: "'local'" }),
    );
    await q.addColumn(
      'users',
      new TableColumn({ name: 'reference', type: 'varchar', length: '256', isNullable: true }),
    );
    await q.createIndex(
      'users',
      new TableIndex({
        name: 'uq_users_institution_source_reference',
        columnNames: ['institution_id', 'source', 'reference'],
        isUnique: true,
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('users', 'uq_users_institution_source_reference');
    await q.dropColumn('users', 'reference');
    await q.dropColumn('users', 'source');
  }
}
