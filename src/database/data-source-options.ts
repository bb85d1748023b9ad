import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions, EntitySchema } from 'typeorm';
import { MIGRATIONS } from './migrations';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type DataSourceEntities = (Function | string | EntitySchema)[];

export interface PoolSettings {
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** TLS to PostgreSQL (DATABASE_SSL_MODE, DATABASE_SSL_CA); unset: what the URL says. */
  ssl?: { mode: 'disable' | 'require' | 'verify-full'; caFile?: string };
  /** SQLite's `synchronous` (SQLITE_SYNCHRONOUS); `normal` unless said. */
  sqliteSynchronous?: 'normal' | 'full';
}
const DEFAULT_POOL: PoolSettings = { poolSize: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 3_000 };

/**
 * DATABASE_URL to TypeORM options: `sqlite:<file>`, `sqlite::memory:` or `postgres://…`.
 * `entities` is empty for the Nest app, whose modules register their own (autoLoadEntities); the
 * TypeORM CLI and the schema test pass the list assembled in src/entities.ts.
 * Migrations run at start under a lock (see migrate.ts); `synchronize` is never used.
 */
export function dataSourceOptions(
  databaseUrl: string,
  pool: PoolSettings = DEFAULT_POOL,
  entities: DataSourceEntities = [],
): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    const database = file === ':memory:' ? ':memory:' : resolve(file);
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
        db.pragma('busy_timeout = 5000');
        // In WAL mode FULL makes every commit wait for an fsync of the log, on the event loop (better-sqlite3
        // is synchronous): four a login, 1 to 6 ms each here, while no other request moves. NORMAL syncs at
        // checkpoints only and stays consistent; a power loss may roll back the last commits
        // (https://www.sqlite.org/pragma.html#pragma_synchronous, docs/performance.md).
        db.pragma(`synchronous = ${pool.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: databaseUrl,
    ...(pool.ssl && { ssl: tlsOptions(pool.ssl) }),
    // pg's Pool: bounded, and never waiting forever for a connection or a statement, so that an
    // unreachable database is a quick 503 rather than a hung request.
    extra: {
      max: pool.poolSize,
      connectionTimeoutMillis: pool.connectTimeoutMs,
      statement_timeout: pool.statementTimeoutMs,
      query_timeout: pool.statementTimeoutMs + 1_000,
      idle_in_transaction_session_timeout: pool.statementTimeoutMs * 2,
      keepAlive: true,
    },
  };
}

/**
 * pg's `ssl` for each mode, as libpq means them: `require` encrypts without checking who answers;
 * `verify-full` checks the certificate chain (against the CA file, or Node's CAs) and that the
 * certificate names the URL's host (Node's TLS checks the name unless told not to).
 */
function tlsOptions(ssl: NonNullable<PoolSettings['ssl']>): false | { rejectUnauthorized: boolean; ca?: string } {
  if (ssl.mode === 'disable') return false;
  if (ssl.mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(ssl.caFile && { ca: readFileSync(ssl.caFile, 'utf8') }) };
}
