import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '@/database/errors';
import { runSql } from '@/database/sql';
import { SqlStep, TransactionAborted, runTransaction } from '@/database/transaction';

/** A Plaid client holds at most this many active secrets, one per slot, numbered from 1 (docs/api.md#partner-authentication). */
export const MAX_ACTIVE_SECRETS = 2;

export interface NewSecret {
  id: string;
  clientId: string;
  secretHash: string;
  createdAt: number;
}

/** Why a change was refused; the service turns it into the answer. */
export type Refusal = 'no_client' | 'no_secret' | 'slots_full' | 'last_secret';

const SLOTS = Array.from({ length: MAX_ACTIVE_SECRETS }, (_, i) => `SELECT ${i + 1} AS slot`).join(' UNION ALL ');

/**
 * A client's secrets: the digests a Plaid call is checked against, and the changes, each one
 * transaction. Each change starts by locking the
 * client's row, so that on PostgreSQL two staff calls or two replicas take turns: a check ("a slot is
 * free", "another secret stays active") and the write it allows cannot interleave with another's.
 * The partial unique index on (client_id, slot) WHERE revoked_at IS NULL is the backstop.
 */
@Injectable()
export class PartnerSecretRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * The digests of the client's active secrets. Every Plaid call: one plain indexed SELECT, read each
   * time so a retired secret fails at once everywhere.
   */
  async activeDigests(clientId: string): Promise<string[]> {
    const { rows } = await runSql<{ secretHash: string }>(
      this.ds,
      'SELECT secret_hash AS "secretHash" FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL',
      [clientId],
    );
    return rows.map((r) => r.secretHash);
  }

  /** The client, its first secret (slot 1) and its redirect URIs, or none of them. */
  async createClient(
    client: { id: string; name: string; createdAt: number },
    first: NewSecret,
    redirectUris: string[],
  ): Promise<void> {
    const uris: SqlStep[] = redirectUris.map((uri, i) => ({
      name: `redirect_uri_${i}`,
      sql: 'INSERT INTO partner_redirect_uri (client_id, uri, created_at) VALUES (?, ?, ?)',
      params: [client.id, uri, client.createdAt],
    }));
    await runTransaction(this.ds, [
      {
        name: 'client',
        sql: 'INSERT INTO partner_client (id, name, created_at) VALUES (?, ?, ?)',
        params: [client.id, client.name, client.createdAt],
      },
      {
        name: 'secret',
        sql: 'INSERT INTO partner_secret (id, client_id, slot, secret_hash, created_at) VALUES (?, ?, 1, ?, ?)',
        params: [first.id, first.clientId, first.secretHash, first.createdAt],
      },
      ...uris,
    ]);
  }

  /** Puts the secret in the lowest free slot and answers that slot; none free is `slots_full`. */
  async addInFreeSlot(secret: NewSecret): Promise<number | Refusal> {
    const steps: SqlStep[] = [
      lockClient(secret.clientId),
      {
        name: 'slots_full',
        sql:
          'INSERT INTO partner_secret (id, client_id, slot, secret_hash, created_at) ' +
          `SELECT ?, ?, free.slot, ?, CAST(? AS BIGINT) FROM (${SLOTS}) free ` +
          'WHERE NOT EXISTS (SELECT 1 FROM partner_secret s ' +
          'WHERE s.client_id = ? AND s.slot = free.slot AND s.revoked_at IS NULL) ' +
          'ORDER BY free.slot LIMIT 1 RETURNING slot',
        params: [secret.id, secret.clientId, secret.secretHash, secret.createdAt, secret.clientId],
        rows: 1,
      },
    ];
    try {
      const [, inserted] = await runTransaction(this.ds, steps);
      return Number(inserted.rows[0].slot);
    } catch (err) {
      // Only a twin that took the same slot at the same moment (the lock makes that rare) gets here.
      if (isUniqueViolation(err)) return 'slots_full';
      return refusal(err);
    }
  }

  /** Retires the active secret in `slot` unless it is the client's last; answers the slots still active. */
  async retire(clientId: string, slot: number, now: number): Promise<number[] | Refusal> {
    const active = 'SELECT slot FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL';
    try {
      const results = await runTransaction(this.ds, [
        lockClient(clientId),
        { name: 'no_secret', sql: `${active} AND slot = ?`, params: [clientId, slot], rows: 1 },
        {
          name: 'last_secret',
          sql:
            'UPDATE partner_secret SET revoked_at = ? WHERE client_id = ? AND slot = ? AND revoked_at IS NULL ' +
            'AND (SELECT COUNT(*) FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL) > 1',
          params: [now, clientId, slot, clientId],
          affected: 1,
        },
        { name: 'remaining', sql: `${active} ORDER BY slot`, params: [clientId] },
      ]);
      return results[3].rows.map((r) => Number(r.slot));
    } catch (err) {
      return refusal(err);
    }
  }
}

function lockClient(clientId: string): SqlStep {
  return {
    name: 'no_client',
    sql: 'SELECT id FROM partner_client WHERE id = ?',
    params: [clientId],
    lock: true,
    rows: 1,
  };
}

/** Steps are named after the refusal their unmet expectation means; any other error travels on. */
function refusal(err: unknown): Refusal {
  if (err instanceof TransactionAborted) return err.step as Refusal;
  throw err;
}
