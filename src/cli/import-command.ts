import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { parse } from 'csv-parse';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { PxError } from '@/common/errors/px.error';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { Checked, ImportColumn, ImportRow, checkHeader, checkRow } from '@/users/import/import-row';
import { UserImporter } from '@/users/import/user-importer';
import { type CliIo, type Output, type Exec, subcommand } from './cli-context';

const BATCH = 500;

type Refusal = { line: number; reason: string };

export interface ImportReport {
  file: string;
  rows: number;
  created: number;
  existing: number;
  refused: { line: number; reason: string }[];
  seconds: number;
  /** CPU time the import used (user and system, all threads): against `seconds`, how many cores it kept busy. */
  cpu_seconds: number;
}

/** `users:import FILE.csv`: bulk import (docs/cli.md). */
export function registerImportCommand(program: Command, exec: Exec): void {
  subcommand(program, 'users:import', 'imports users from a CSV file; a re-run creates no one twice')
    .argument('<file>', 'CSV with a header row: username, password or password_hash, phone, email, institution_id')
    .addHelpText(
      'after',
      `
password_hash: argon2id ($argon2id$v=19$...) or bcrypt ($2a$, $2b$, $2y$; upgraded to argon2id at the
user's first good login), stored as given. password: hashed with argon2id, in parallel on every core.
Bad rows are reported by line number and reason, and the good ones are imported (exit 1 if any was bad).`,
    )
    .action((file: string, o: { json?: boolean }) => {
      // Refused before booting: a missing file costs no database connection.
      const size = statSync(file).size;
      return exec((app) => importFile(app, file, size, exec.io.stderr), o);
    });
}

/**
 * Streams the file through csv-parse, a batch of rows at a time (never the whole file in memory),
 * checks each row, and imports each batch before reading on. A progress bar with rate and time left
 * is drawn on a terminal only (stderr, so stdout stays the report).
 */
async function importFile(
  app: INestApplicationContext,
  file: string,
  size: number,
  stderr: CliIo['stderr'],
): Promise<Output> {
  const importer = app.get(UserImporter);
  const started = Date.now();
  const cpu = process.cpuUsage();
  const report: ImportReport = { file, rows: 0, created: 0, existing: 0, refused: [], seconds: 0, cpu_seconds: 0 };
  const refuse = (line: number, reason: string) => report.refused.push({ line, reason });
  const bar = progressBar(size, stderr);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, skip_records_with_error: true }),
  );
  // The parser's own message may quote a field (a password): only its code is reported.
  parser.on('skip', (err: { code?: string; lines?: number }) =>
    refuse(err.lines ?? 0, `malformed CSV (${err.code ?? 'error'})`),
  );
  const seen = new Map<string, number>();
  let columns: ImportColumn[] | undefined;
  let batch: ImportRow[] = [];
  const flush = async () => {
    const done = await importer.importBatch(batch);
    report.created += done.created.length;
    report.existing += done.existing.length;
    batch = [];
  };
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    if (!columns) {
      try {
        columns = checkHeader(record);
      } catch (err) {
        parser.destroy();
        throw PxError.invalid(`${basename(file)} line ${info.lines}: ${(err as Error).message}`);
      }
      continue;
    }
    report.rows++;
    const checked = withKey(importer, checkRow(info.lines, columns, record));
    if ('reason' in checked) refuse(checked.line, checked.reason);
    else {
      const first = seen.get(checked.key);
      if (first !== undefined) refuse(info.lines, `username already on line ${first}`);
      else {
        seen.set(checked.key, info.lines);
        batch.push(checked.row);
      }
    }
    if (batch.length >= BATCH) await flush();
    bar?.tick(info.bytes, report.rows);
  }
  if (!columns) throw PxError.invalid(`${basename(file)}: empty, with no header row`);
  await flush();
  bar?.tick(size, report.rows);
  bar?.stop();
  report.refused.sort((a, b) => a.line - b.line);
  report.seconds = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  report.cpu_seconds = Math.round((used.user + used.system) / 1000) / 1000;
  report.rows += report.refused.filter((r) => r.reason.startsWith('malformed CSV')).length;
  await app.get(DomainEvents).publish({
    type: EventType.UserCreate,
    outcome: StaffOutcome.Created,
    detail: {
      source: 'users:import',
      file: basename(file),
      created: report.created,
      existing: report.existing,
      refused: report.refused.length,
    },
  });
  const output: Output = { data: report, text: importText(report) };
  if (report.refused.length) {
    output.code = 1;
    output.reason = `INVALID_REQUEST: ${report.refused.length} of ${report.rows} rows refused (first: line ${report.refused[0].line}); the ${report.created + report.existing} good rows are in the database`;
  }
  return output;
}

/**
 * The row's key as a login normalises its username, or the reason the username is refused (the
 * same rules as POST /admin/users): one bad row is reported by its line, the others still import.
 */
function withKey(importer: UserImporter, checked: Checked): { row: ImportRow; key: string } | Refusal {
  if ('reason' in checked) return checked;
  try {
    return { row: checked.row, key: importer.keyOf(checked.row) };
  } catch (err) {
    if (err instanceof PxError) return { line: checked.row.line, reason: err.message };
    throw err;
  }
}

interface Progress {
  tick(bytes: number, rows: number): void;
  stop(): void;
}

/** On a terminal only: piped into a file or a CI log, the bar would only be noise. */
function progressBar(size: number, stderr: CliIo['stderr']): Progress | undefined {
  if (!stderr.isTTY) return undefined;
  const bar = new SingleBar({
    stream: stderr,
    format: 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {eta_formatted} left',
    hideCursor: true,
    etaBuffer: 50,
  });
  const started = Date.now();
  bar.start(size, 0, { rows: 0, rate: 0 });
  return {
    tick: (bytes, rows) =>
      bar.update(bytes, { rows, rate: Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000)) }),
    stop: () => bar.stop(),
  };
}

export function importText(r: ImportReport): string {
  const lines = [
    `${r.file}: ${r.rows} rows in ${r.seconds.toFixed(1)} s (${r.cpu_seconds.toFixed(1)} s of CPU)`,
    `  created:         ${r.created}`,
    `  already present: ${r.existing}`,
    `  refused:         ${r.refused.length}`,
    ...r.refused.map((x) => `line ${x.line}: ${x.reason}`),
  ];
  return lines.join('\n');
}
