import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@/config/app-config';
import { dataSourceOptions } from './data-source-options';
import { redactSecrets } from '@/config/redact';
import { redactError } from './errors';
import { MIGRATIONS } from './migrations';
import { poolSettingsOf } from './pool-settings';
import { engineOf, runSql } from './sql';

export interface MigrationRow {
  timestamp: number;
  name: string;
}

export interface MigrationStatus {
  engine: 'postgres' | 'sqlite';
  applied: MigrationRow[];
  /** Known to this build and not yet applied: the next start (or db:migrate) applies them, in order. */
  pending: MigrationRow[];
}

/** Every migration this build carries, as TypeORM names it in its table: the class name ends in the timestamp. */
export const KNOWN_MIGRATIONS: MigrationRow[] = MIGRATIONS.map((m) => ({
  timestamp: Number(/\d{13}$/.exec(m.name)?.[0] ?? 0),
  name: m.name,
}));

/**
 * What TypeORM's migrations table says was applied, against the migrations of this build; read
 * only, so it can be asked without migrating (a database no migration ran on has no table yet).
 */
export async function migrationStatus(ds: DataSource): Promise<MigrationStatus> {
  const table = ds.options.migrationsTableName ?? 'migrations';
  const runner = ds.createQueryRunner();
  let exists: boolean;
  try {
    exists = await runner.hasTable(table);
  } finally {
    await runner.release();
  }
  const { rows } = exists
    ? await runSql<{ timestamp: string | number; name: string }>(
        ds,
        `SELECT "timestamp", "name" FROM "${table}" ORDER BY "timestamp"`,
      )
    : { rows: [] };
  const applied = rows.map((r) => ({ timestamp: Number(r.timestamp), name: r.name }));
  const done = new Set(applied.map((m) => m.name));
  return { engine: engineOf(ds), applied, pending: KNOWN_MIGRATIONS.filter((m) => !done.has(m.name)) };
}

/**
 * The status of the database the settings name, opened without migrating (a start, or db:migrate,
 * migrates): one connection, closed at once. A SQLite file that does not exist yet is not created:
 * every migration is pending on it.
 */
export async function migrationStatusOf(config: AppConfig): Promise<MigrationStatus> {
  const url = config.DATABASE_URL;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file === ':memory:' || !existsSync(resolve(file)))
      return { engine: 'sqlite', applied: [], pending: KNOWN_MIGRATIONS };
  }
  const ds = new DataSource(dataSourceOptions(url, { ...poolSettingsOf(config), poolSize: 1 }));
  try {
    await ds.initialize();
    return await migrationStatus(ds);
  } catch (err) {
    // A connection error quotes what it was given: never the URL's password.
    throw redactError(err, (text) => redactSecrets(text, { DATABASE_URL: url }));
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}
