import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * At most one active secret per (client, slot), so with slots 1 and 2 a client never holds
 * three active secrets (docs/api.md#partner-authentication), whatever two staff calls or replicas do at once. A
 * partial unique index: revoked secrets keep their slot number as history.
 */
export class PartnerSecretSlot1764100000000 implements MigrationInterface {
  name = 'PartnerSecretSlot1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // Before this index, two concurrent rotations could fill one slot twice. Which of those secrets
    // Plaid uses is not for a migration to guess: stop, and say what to retire.
    const twins = (await q.query(
      'SELECT client_id, slot FROM partner_secret WHERE revoked_at IS NULL ' +
        'GROUP BY client_id, slot HAVING COUNT(*) > 1',
    )) as { client_id: string; slot: number }[];
    if (twins.length) {
      const which = twins.map((t) => `client ${t.client_id} slot ${t.slot}`).join(', ');
      throw new Error(
        `partner_secret: several active secrets share a slot (${which}); set revoked_at on all but the one ` +
          'Plaid uses (UPDATE partner_secret SET revoked_at = <epoch ms> WHERE id = …), then start again',
      );
    }
    await q.createIndex(
      'partner_secret',
      new TableIndex({
        name: 'uq_partner_secret_active_slot',
        columnNames: ['client_id', 'slot'],
        isUnique: true,
        where: 'revoked_at IS NULL',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('partner_secret', 'uq_partner_secret_active_slot');
  }
}
