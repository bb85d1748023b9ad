import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import type { TestApp } from './harness';

/** What the database of a test app holds, read with the app's own pool: the state a test asserts. */
export async function storedRows<T = Record<string, unknown>>(app: TestApp, sql: string, params: unknown[] = []) {
  return (await runSql<T>(app.px.app.get(DataSource), sql, params)).rows;
}

/** The slots of a Plaid client's active secrets, in order. */
export async function activeSecretSlots(app: TestApp, clientId: string): Promise<number[]> {
  const rows = await storedRows<{ slot: number | string }>(
    app,
    'SELECT slot FROM partner_secret WHERE client_id = ? AND revoked_at IS NULL ORDER BY slot',
    [clientId],
  );
  return rows.map((r) => Number(r.slot));
}
