import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** What one statement did: the rows it returned (SELECT, or RETURNING) and how many rows it changed. */
export interface SqlResult<T> {
  rows: T[];
  affected: number;
}

/** A DataSource, or the EntityManager of a transaction (whose statements go through its own runner). */
export type Db = DataSource | EntityManager;

/**
 * One statement, written once for both engines with `?` placeholders (numbered `$n` for PostgreSQL).
 * For the conditional UPDATEs and upserts whose affected-row count, or RETURNING rows, is the answer.
 */
export async function runSql<T = Record<string, unknown>>(
  db: Db,
  sql: string,
  params: unknown[] = [],
): Promise<SqlResult<T>> {
  const text = engineOf(db) === 'postgres' ? numberedPlaceholders(sql) : sql;
  const own: QueryRunner | undefined = 'manager' in db ? db.createQueryRunner() : undefined;
  const runner = own ?? (db as EntityManager).queryRunner ?? (db as EntityManager).connection.createQueryRunner();
  try {
    const r = (await runner.query(text, params, true)) as { records?: T[]; affected?: number };
    const rows = r.records ?? [];
    return { rows, affected: r.affected ?? rows.length };
  } finally {
    if (runner !== (db as EntityManager).queryRunner) await runner.release();
  }
}

export function engineOf(db: Db): 'postgres' | 'sqlite' {
  const options = 'manager' in db ? db.options : db.connection.options;
  return options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** `?` placeholders as PostgreSQL's numbered `$1, $2, …` (a `?` inside a string literal would be one too). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
