import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { Command, Option } from 'commander';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { AppModule } from '@/app.module';
import { redactSettings } from '@/config/load-config';

/**
 * What one command line runs with: the environment its settings are read from, and its three
 * streams. cli/main.ts passes the process's own; anything else that runs a command line gives its own.
 */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** A password is read from it; at a terminal (isTTY, setRawMode) it is asked for without echo. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  /** Notes, reasons and the app's log lines; on a terminal (isTTY) users:import draws its progress bar here. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The process's own streams and environment: what `pxauth <command>` runs with. */
export function processIo(): CliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** What a command printed: `data` with --json, `text` for a person at a terminal; `code` 1 for a partial failure. */
export interface Output {
  data: unknown;
  text: string;
  /** Exit code (default 0) and the one-line reason on stderr when it is not 0. */
  code?: number;
  reason?: string;
}

export type Run = (app: INestApplicationContext) => Promise<Output>;

/** A command line that cannot be run as written: exit 2 (as most Unix tools do), the reason on one line. */
export class UsageError extends Error {}

export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

/**
 * Nest's own log lines and stack traces are not for an operator at a terminal, with one exception:
 * TypeOrmModule's "Retrying (n)" while the database is unreachable, which becomes one line saying so.
 * The bounded retry itself is the service's (DatabaseModule: 10 tries, 2 s apart); without this line
 * the command would wait for it in silence.
 */
const DATABASE_TRIES = 10; // DatabaseModule's retryAttempts

class OperatorLog implements LoggerService {
  constructor(private readonly io: CliIo) {}
  log(): void {}
  warn(): void {}
  debug(): void {}
  verbose(): void {}
  error(message: unknown, stack?: unknown, context?: unknown): void {
    if (context !== 'TypeOrmModule' || typeof message !== 'string') return;
    const attempt = /Retrying \((\d+)\)/.exec(message)?.[1];
    if (!attempt) return;
    const cause = typeof stack === 'string' ? (stack.split('\n')[0] ?? '') : '';
    const next = Number(attempt) >= DATABASE_TRIES ? 'giving up' : 'next in 2s';
    const line = `note: the database is unreachable (${cause.replace(/^\w*Error: /, '')}); try ${attempt} of ${DATABASE_TRIES}, ${next}`;
    this.io.stderr.write(`${redactSettings(line, this.io.env)}\n`);
  }
}

/**
 * The app without its listeners: config validated, migrations run, the sandbox seeded on an empty
 * database when SANDBOX is on, as at a service start. pino writes to stderr, so stdout holds only
 * the answer and `--json` output can be piped.
 */
export async function withApp(run: Run, io: CliIo): Promise<Output> {
  // The process's own stderr is fd 2, written synchronously; another stream takes pino's lines as they come.
  const logStream = io.stderr === process.stderr ? pino.destination(2) : io.stderr;
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ env: settingsOf(io.env), logStream }), {
    logger: new OperatorLog(io),
    abortOnError: false,
  });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** The environment's variables that are set, as the settings the app starts with. */
function settingsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs a prepared command and prints its output; answers the exit code. */
export async function execute(run: Run, json: boolean, io: CliIo): Promise<number> {
  return print(await withApp(run, io), json, io);
}

/**
 * The answer alone on stdout (JSON with --json, so that `| jq` reads it), and the reason for a
 * non-zero exit on stderr.
 */
export async function print(output: Output, json: boolean, io: CliIo): Promise<number> {
  await write(io.stdout, `${json ? JSON.stringify(output.data, null, 2) : output.text}\n`);
  if (output.code) await write(io.stderr, `error: ${output.reason ?? 'failed'}\n`);
  return output.code ?? 0;
}

/** How a command's action hands its work over: the Run is executed on a booted app, the exit code kept. */
export interface Exec {
  (run: Run | Promise<Run>, opts: { json?: boolean }): Promise<void>;
  /** Without booting the app, which would migrate the database first: for db:status. */
  bare(run: () => Promise<Output>, opts: { json?: boolean }): Promise<void>;
  /** The command line's environment and streams. */
  io: CliIo;
}

export const SETTINGS = `
Settings (DATABASE_URL, ENCRYPTION_KEY, ...) are read from the environment, as the service reads them.
Exit codes: 0 done; 1 refused or failed (error: ID: message); 2 a command line that cannot be run.`;

/** A subcommand with --json, whose options are typed by the caller. */
export function subcommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .addOption(new Option('--json', 'print JSON instead of text'))
    .addHelpText('after', SETTINGS);
}
