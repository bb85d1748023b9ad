import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { SqlResult, engineOf, numberedPlaceholders } from './sql';

/** How many rows a statement must change or return: exactly `n`, or within bounds. */
export type RowCount = number | { min?: number; max?: number };

/** One statement of a transaction, written once for both engines with `?` placeholders. */
export interface SqlStep {
  /** Named in the TransactionAborted error when its expectation is unmet. */
  name: string;
  sql: string;
  params?: unknown[];
  /**
   * A SELECT whose rows must stay as read until commit: `FOR UPDATE` on PostgreSQL, so a check and
   * the write that depends on it cannot race another connection or replica. SQLite needs nothing:
   * its transaction holds the database's write lock from the start (BEGIN IMMEDIATE).
   */
  lock?: boolean;
  /** Rows an INSERT, UPDATE or DELETE must change. */
  affected?: RowCount;
  /** Rows a SELECT (or a RETURNING clause) must return. */
  rows?: RowCount;
}

export type StepResult = SqlResult<Record<string, unknown>>;

/** A step's expectation was unmet: nothing of the transaction was kept. */
export class TransactionAborted extends Error {
  constructor(
    readonly step: string,
    readonly index: number,
    readonly result: StepResult,
  ) {
    super(
      `transaction rolled back: step ${index} (${step}) changed ${result.affected}, returned ${result.rows.length}`,
    );
    this.name = 'TransactionAborted';
  }
}

/**
 * Runs `steps` as one transaction, all or nothing, and answers each step's result in order; an
 * unmet expectation rolls everything back and throws TransactionAborted naming the step. Every
 * statement is computed beforehand (answers hashed, ids drawn), because on SQLite nothing may await
 * inside: TypeORM's better-sqlite3 driver shares one connection between all requests, so an async
 * transaction would take in other requests' statements (and roll them back with it). better-sqlite3's
 * own transaction is synchronous, so nothing interleaves. PostgreSQL gets a QueryRunner of its own.
 */
export function runTransaction(ds: DataSource, steps: SqlStep[]): Promise<StepResult[]> {
  return engineOf(ds) === 'postgres' ? onPostgres(ds, steps) : Promise.resolve().then(() => onSqlite(ds, steps));
}

function onSqlite(ds: DataSource, steps: SqlStep[]): StepResult[] {
  const conn = (ds.driver as unknown as { databaseConnection: Database }).databaseConnection;
  // better-sqlite3 would nest into a savepoint of whatever is open: someone's async TypeORM
  // transaction on the shared connection, whose fate would then decide ours. A bug, not a retry.
  if (conn.inTransaction) throw new Error('runTransaction: another transaction is open on the SQLite connection');
  const all = conn.transaction(() =>
    steps.map((step, index) => {
      const stmt = conn.prepare(step.sql);
      // As TypeORM's driver does: SQLite has no boolean.
      const params = (step.params ?? []).map((p) => (typeof p === 'boolean' ? Number(p) : p));
      let result: StepResult;
      if (stmt.reader) {
        const rows = stmt.all(...params) as Record<string, unknown>[];
        result = { rows, affected: rows.length };
      } else {
        result = { rows: [], affected: stmt.run(...params).changes };
      }
      return check(step, index, result);
    }),
  );
  // IMMEDIATE: the write lock is taken at BEGIN, so another process on the same file (the CLI
  // beside the server) waits for busy_timeout instead of reading a state we are about to change.
  return all.immediate();
}

async function onPostgres(ds: DataSource, steps: SqlStep[]): Promise<StepResult[]> {
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    try {
      const results: StepResult[] = [];
      for (const [index, step] of steps.entries()) {
        const sql = numberedPlaceholders(step.lock ? `${step.sql} FOR UPDATE` : step.sql);
        const r = (await runner.query(sql, step.params ?? [], true)) as { records?: unknown[]; affected?: number };
        const rows = (r.records ?? []) as Record<string, unknown>[];
        results.push(check(step, index, { rows, affected: r.affected ?? rows.length }));
      }
      await runner.commitTransaction();
      return results;
    } catch (err) {
      // The first error is the one worth reporting; a failed ROLLBACK means the connection is gone,
      // and PostgreSQL ends the transaction of a lost connection by itself.
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  } finally {
    await runner.release();
  }
}

function check(step: SqlStep, index: number, result: StepResult): StepResult {
  if (!within(result.affected, step.affected) || !within(result.rows.length, step.rows))
    throw new TransactionAborted(step.name, index, result);
  return result;
}

function within(n: number, want: RowCount | undefined): boolean {
  if (want === undefined) return true;
  if (typeof want === 'number') return n === want;
  return n >= (want.min ?? 0) && n <= (want.max ?? Infinity);
}
