import { Command, CommanderError } from 'commander';
import { PxError } from '@/common/errors/px.error';
import { ConfigError, redactSettings } from '@/config/load-config';
import { isDatabaseUnavailable } from '@/database/errors';
import { CliIo, UsageError, write } from './cli-context';
import { Interrupted } from './cli-input';
import { buildProgram } from './program';

/**
 * One command line (argv without `node` and the script) run to its end with the environment and
 * streams of `io`: what `npx pxauth <command>` does (cli/main.ts runs it on the process's own), and
 * answers the exit code (docs/cli.md). Exit codes: 0 done, 1 refused or failed (`error: <ID>: <message>`
 * on stderr, one line), 2 a command line that cannot be run (`error: <what>`, and where to find the
 * usage), 130 interrupted at a password prompt.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (err: unknown) {
    const { text, code } = report(program, err, argv);
    // The settings' secrets (a DATABASE_URL password, keys) are masked in whatever the report quotes.
    if (text) await write(io.stderr, `${redactSettings(text, io.env)}\n`);
    return code;
  }
}

/** Expected failures are one line without a stack; only a bug shows its stack. */
function report(program: Command, err: unknown, argv: string[]): { text: string; code: number } {
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
  if (err instanceof Interrupted) return { text: '', code: 130 };
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
