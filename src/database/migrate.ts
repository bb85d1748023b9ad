import type { DataSource, Migration } from 'typeorm';

// Any fixed 64-bit number; it names "pxauth start-up" among the advisory locks of the database.
const STARTUP_LOCK = 7_270_301_520;

// SQLite serves one process (several replicas need PostgreSQL): app instances of that process that
// share a file queue here, in the order they start.
const sqliteQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the start-up lock: on PostgreSQL an advisory lock, so replicas starting
 * at once take turns at migrating and seeding, and each after the first finds nothing left to do.
 */
export async function withStartupLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'postgres') {
    const file = String(ds.options.database);
    const run = (sqliteQueues.get(file) ?? Promise.resolve()).catch(() => undefined).then(fn);
    sqliteQueues.set(file, run);
    return run;
  }
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

/** Runs pending migrations, one migration per transaction, under the start-up lock. */
export function migrate(ds: DataSource): Promise<Migration[]> {
  return withStartupLock(ds, () => ds.runMigrations({ transaction: 'each' }));
}
