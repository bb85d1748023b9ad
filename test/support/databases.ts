import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** Which engine the e2e suites run on: the `e2e-postgres` Jest project sets PXAUTH_TEST_DB=postgres. */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.PXAUTH_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** The server that test databases are created on (the machine's PostgreSQL by default). */
export const PG_ADMIN_URL = process.env.PXAUTH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database of its own for one test app, so that suites never see each other's rows. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
  bytes(): Buffer;
}

export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  if (TEST_ENGINE === 'sqlite') {
    return {
      url: `sqlite:${join(dir, 'pxauth.sqlite')}`,
      drop: () => Promise.resolve(),
      // Every byte SQLite wrote: the database file, and its WAL and shared-memory files.
      bytes: () =>
        Buffer.concat(
          readdirSync(dir)
            .filter((f) => f.startsWith('pxauth.sqlite'))
            .map((f) => readFileSync(join(dir, f))),
        ),
    };
  }
  const name = `pxauth_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    // Everything the database holds, as pg_dump writes it out.
    bytes: () =>
      execFileSync('pg_dump', ['--data-only', '--no-owner', url.toString()], { maxBuffer: 256 * 1024 * 1024 }),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
