import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { loadConfig } from '@/config/load-config';
import { migrationStatus, migrationStatusOf } from '@/database/migration-status';
import { Exec, subcommand } from './cli-context';
import { migrationsText } from './format';
import { statusText } from './list-format';

/** The schema: db:migrate applies what is pending, db:status only says what is. */
export function registerDbCommands(program: Command, exec: Exec): void {
  subcommand(program, 'db:migrate', 'runs pending migrations and lists those applied; idempotent')
    // Booting the app already ran the pending migrations (DatabaseModule, under the start-up lock).
    .action((o: { json?: boolean }) =>
      exec(async (app) => {
        const { applied, pending } = await migrationStatus(app.get(DataSource));
        return { data: { applied, pending: pending.length > 0 }, text: migrationsText(applied, pending.length > 0) };
      }, o),
    );

  subcommand(
    program,
    'db:status',
    'the engine, applied and pending migrations, without migrating; exit 1 if any is pending',
  )
    .addHelpText(
      'after',
      `
Opens the database without migrating it (a SQLite file that does not exist is not created), so a
deployment can check before it starts the service: exit 0 when the schema is up to date.`,
    )
    .action((o: { json?: boolean }) =>
      exec.bare(async () => {
        const status = await migrationStatusOf(loadConfig(exec.io.env));
        const n = status.pending.length;
        return {
          data: { ...status, up_to_date: n === 0 },
          text: statusText(status),
          ...(n ? { code: 1, reason: `${n} migration(s) pending: run db:migrate (or start the service)` } : {}),
        };
      }, o),
    );
}
