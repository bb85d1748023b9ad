import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@/database/data-source-options';
import { isUniqueViolation } from '@/database/errors';
import { migrate } from '@/database/migrate';
import { runSql } from '@/database/sql';
import { SqlStep, TransactionAborted, runTransaction } from '@/database/transaction';
import { TEST_ENGINE, TestDatabase, createTestDatabase } from './support/databases';

/**
 * runTransaction on a real database of each engine: all or nothing, the failing step named,
 * other callers' statements never taken into it, and a locked check that holds across connections.
 */
describe(`runTransaction (${TEST_ENGINE})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-tx-'));
  let db: TestDatabase;
  let ds: DataSource;
  let seq = 0;
  beforeAll(async () => {
    db = await createTestDatabase(dir);
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const newClient = (): SqlStep => ({
    name: 'client',
    sql: 'INSERT INTO partner_client (id, name, created_at) VALUES (?, ?, ?)',
    params: [`c${++seq}-${Date.now()}`, 'tx test', Date.now()],
  });
  const secret = (clientId: string, slot: number, id = `s${++seq}`): SqlStep => ({
    name: `secret ${slot}`,
    sql: 'INSERT INTO partner_secret (id, client_id, slot, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    params: [id, clientId, slot, 'f'.repeat(64), Date.now()],
    affected: 1,
  });
  const clientIds = async (ids: string[]) =>
    (await runSql<{ id: string }>(ds, 'SELECT id FROM partner_client WHERE id IN (?, ?)', ids)).rows.map((r) => r.id);
  const activeSlots = async (clientId: string) =>
    (
      await runSql<{ slot: number }>(
        ds,
        'SELECT slot FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL ORDER BY slot',
        [clientId],
      )
    ).rows.map((r) => Number(r.slot));

  it('commits every step and answers each one its rows and affected count', async () => {
    const c = newClient();
    const id = c.params![0] as string;
    const results = await runTransaction(ds, [
      c,
      secret(id, 1),
      secret(id, 2),
      { name: 'read', sql: 'SELECT slot FROM partner_secret WHERE client_id = ? ORDER BY slot', params: [id], rows: 2 },
    ]);
    expect(results.map((r) => r.affected)).toEqual([1, 1, 1, 2]);
    expect(results[3].rows.map((r) => Number(r.slot))).toEqual([1, 2]);
    expect(await activeSlots(id)).toEqual([1, 2]);
  });

  it('an unmet expectation rolls the whole transaction back and names the step', async () => {
    const c = newClient();
    const id = c.params![0] as string;
    const err = await runTransaction(ds, [
      c,
      secret(id, 1),
      {
        name: 'retire',
        sql: 'UPDATE partner_secret SET revoked_at = ? WHERE id = ?',
        params: [1, 'none'],
        affected: 1,
      },
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionAborted);
    expect(err).toMatchObject({ step: 'retire', index: 2, result: { affected: 0 } });
    expect(await clientIds([id, id])).toEqual([]);
    expect(await activeSlots(id)).toEqual([]);
  });

  it('a bound on returned rows is checked too', async () => {
    const c = newClient();
    const id = c.params![0] as string;
    await expect(
      runTransaction(ds, [
        c,
        {
          name: 'has secrets',
          sql: 'SELECT id FROM partner_secret WHERE client_id = ?',
          params: [id],
          rows: { min: 1 },
        },
      ]),
    ).rejects.toMatchObject({ step: 'has secrets', index: 1 });
    expect(await clientIds([id, id])).toEqual([]);
  });

  it('a failing statement (a unique violation) undoes the steps before it; its error travels as it is', async () => {
    const c = newClient();
    const id = c.params![0] as string;
    // Two active secrets in one slot: what uq_partner_secret_active_slot forbids.
    const err = await runTransaction(ds, [c, secret(id, 1), secret(id, 1)]).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await clientIds([id, id])).toEqual([]);
    // A revoked secret keeps its slot number: the index covers active secrets only.
    await runTransaction(ds, [
      c,
      secret(id, 1, `old-${id}`),
      { name: 'retire', sql: 'UPDATE partner_secret SET revoked_at = ? WHERE id = ?', params: [1, `old-${id}`] },
      secret(id, 1),
    ]);
    expect(await activeSlots(id)).toEqual([1]);
  });

  it('statements of other callers running meanwhile are neither taken into it nor rolled back with it', async () => {
    const [a, b] = [newClient(), newClient()];
    const failing = runTransaction(ds, [
      a,
      {
        name: 'impossible',
        sql: 'UPDATE partner_client SET name = ? WHERE id = ?',
        params: ['x', 'none'],
        affected: 1,
      },
    ]);
    const other = runSql(ds, b.sql, b.params);
    const [tx, alone] = await Promise.allSettled([failing, other]);
    expect(tx.status).toBe('rejected');
    expect(alone.status).toBe('fulfilled');
    expect(await clientIds([a.params![0] as string, b.params![0] as string])).toEqual([b.params![0]]);
  });

  it('with the client row locked, ten concurrent "retire unless last" leave exactly one active secret', async () => {
    const c = newClient();
    const id = c.params![0] as string;
    await runTransaction(ds, [c, secret(id, 1), secret(id, 2)]);
    const retire = (slot: number) =>
      runTransaction(ds, [
        { name: 'lock', sql: 'SELECT id FROM partner_client WHERE id = ?', params: [id], lock: true, rows: 1 },
        // A slow moment between the lock and the write, so that without the lock they would all overlap.
        ...(TEST_ENGINE === 'postgres' ? [{ name: 'pause', sql: 'SELECT pg_sleep(0.05)' }] : []),
        {
          name: 'retire',
          sql:
            'UPDATE partner_secret SET revoked_at = ? WHERE client_id = ? AND slot = ? AND revoked_at IS NULL ' +
            'AND (SELECT COUNT(*) FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL) > 1',
          params: [Date.now(), id, slot, id],
          affected: 1,
        },
      ]);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => retire(1 + (i % 2))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ step: 'retire', result: { affected: 0 } });
    expect(await activeSlots(id)).toHaveLength(1);
  });
});
