#!/usr/bin/env node
import './thread-pool';
import 'reflect-metadata';
import { CommanderError } from 'commander';
import { PxError } from '@/common/errors/px.error';
import { ConfigError, redactSettings } from '@/config/load-config';
import { isDatabaseUnavailable } from '@/database/errors';
import { UsageError, write } from './cli-context';
import { buildProgram } from './program';

/**
 * `npm run cli -- <command>`, or `npx pxauth <command>` (package.json's bin): the admin API's operations
 * for an operator at the host, through the same services, on the database DATABASE_URL names (docs/cli.md). Exit codes: 0 done,
 * 1 refused or failed (`error: <ID>: <message>` on stderr, one line), 2 a command line that cannot
 * be run (`error: <what>`, and where to find the usage).
 */
async function main(argv: string[]): Promise<number> {
  await program.parseAsync(argv, { from: 'user' });
  return exit.code;
}

/** Expected failures are one line without a stack; only a bug shows its stack. */
function report(err: unknown, argv: string[]): { text: string; code: number } {
  const known = program.commands.map((c) => c.name());
  const command = argv.find((a) => known.includes(a));
  const help = `(see npm run cli -- ${command ? `${command} ` : ''}--help)`;
  if (err instanceof CommanderError) {
    // Help asked for: already printed on stdout.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { text: '', code: 0 };
    if (err.code === 'commander.help') return { text: `error: no command given ${help}`, code: 2 };
    // One line: commander puts its "(Did you mean users:show?)" for a typo on a line of its own.
    return { text: `${err.message.split('\n').join(' ')} ${help}`, code: 2 };
  }
  if (err instanceof UsageError) return { text: `error: ${err.message} ${help}`, code: 2 };
  if (err instanceof PxError) return { text: `error: ${err.id}: ${err.message}`, code: 1 };
  if (err instanceof ConfigError)
    return { text: `error: ${err.message.replace(/:?\n\s+- /g, (m) => (m.startsWith(':') ? ': ' : '; '))}`, code: 1 };
  if (isDatabaseUnavailable(err))
    return { text: `error: SERVICE_UNAVAILABLE: the database could not be used: ${(err as Error).message}`, code: 1 };
  // The operating system refused something (a folder for the SQLite file, a CSV file): its message says what.
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string')
    return { text: `error: ${err.message}`, code: 1 };
  return { text: `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, code: 1 };
}

const exit = { code: 0 };
const program = buildProgram(exit);
const argv = process.argv.slice(2);
void main(argv)
  .catch(async (err: unknown) => {
    const { text, code } = report(err, argv);
    // The settings' secrets (a DATABASE_URL password, keys) are masked in whatever the report quotes.
    if (text) await write(process.stderr, `${redactSettings(text, process.env)}\n`);
    return code;
  })
  // Exit once the output is flushed: a pool or timer left open must not keep an operator waiting.
  .then((code) => process.exit(code));
