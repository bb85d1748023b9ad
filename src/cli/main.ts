import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { AppModule } from '@/app.module';
import { PxError } from '@/common/errors/px.error';
import { ConfigError, redactSettings } from '@/config/app-config';
import { isDatabaseUnavailable } from '@/database/errors';
import { USAGE, UsageError, checkFlags, parseInvocation } from './args';
import { COMMANDS, Run } from './commands';
import type { Output } from './format';

/**
 * `npm run cli -- <command>` (PRODUCT.md section 9): the admin API's operations for an operator at
 * the host, through the same services, on the database DATABASE_URL names. Exit codes: 0 done,
 * 1 refused or failed (`error: <ID>: <message>` on stderr), 2 a command line that cannot be run.
 */
async function main(argv: string[]): Promise<number> {
  const { command, flags, json, help } = parseInvocation(argv);
  if (help) {
    await write(process.stdout, USAGE);
    return 0;
  }
  if (!command) throw new UsageError('no command given');
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command: ${command}`);
  checkFlags(command, flags, spec.flags);
  const run = await spec.prepare(flags);
  const output = await withApp(run);
  await write(process.stdout, `${json ? JSON.stringify(output.data, null, 2) : output.text}\n`);
  return 0;
}

/**
 * The app without its listeners: config validated, migrations run, the sandbox seeded on an empty
 * database when SANDBOX is on, as at a service start. Nest's own logger is off (its lines and stack
 * traces are not for an operator at a terminal) and pino writes to stderr, so stdout holds only the
 * answer and `--json` output can be piped.
 */
async function withApp(run: Run): Promise<Output> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ logStream: pino.destination(2) }), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** Expected failures are one line without a stack; only a bug shows its stack. */
function report(err: unknown): { text: string; code: number } {
  if (err instanceof UsageError) return { text: `error: ${err.message}\n\n${USAGE}`, code: 2 };
  if (err instanceof PxError) return { text: `error: ${err.id}: ${err.message}`, code: 1 };
  if (err instanceof ConfigError) return { text: `error: ${err.message}`, code: 1 };
  if (isDatabaseUnavailable(err))
    return { text: `error: SERVICE_UNAVAILABLE: the database could not be used: ${(err as Error).message}`, code: 1 };
  // The operating system refused something (a folder for the SQLite file, say): its message says what.
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string')
    return { text: `error: ${err.message}`, code: 1 };
  return { text: `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, code: 1 };
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

void main(process.argv.slice(2))
  .catch(async (err: unknown) => {
    const { text, code } = report(err);
    // The settings' secrets (a DATABASE_URL password, keys) are masked in whatever the report quotes.
    await write(process.stderr, `${redactSettings(text, process.env)}\n`);
    return code;
  })
  // Exit once the output is flushed: a pool or timer left open must not keep an operator waiting.
  .then((code) => process.exit(code));
