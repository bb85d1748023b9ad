import { Command } from 'commander';
import { BUILD_INFO } from '@/common/build-info';
import { CliIo, Exec, Output, Run, SETTINGS, execute, print } from './cli-context';
import { registerDbCommands } from './db-commands';
import { registerMaintenanceCommands } from './maintenance-commands';
import { registerReferenceCommand } from './reference';
import { registerOperatorCommands } from './operator-commands';
import { registerUserCommands } from './user-commands';
import { registerImportCommand } from './import-command';
import { registerKeysCommand } from './keys-command';

/**
 * The command line (docs/cli.md) on commander 14. Every command checks its options before
 * the app boots, so that a typo costs no database connection, then runs through the same services
 * as the admin API. `exit.code` receives the exit code of the command that ran. A program parses one
 * command line (commander keeps what it parsed): build one for each.
 */
export function buildProgram(exit: { code: number }, io: CliIo): Command {
  const program = new Command('npm run cli --')
    .usage('<command> [options]')
    .description('pxauth for operators: Plaid clients, staff keys, users, the audit trail and the database.')
    .exitOverride()
    // Commander's own messages go through main's one-line report instead of being printed twice.
    // (and the help commander prints on a bare `npm run cli --`: the report says to ask for it).
    // --help and --version print on the command line's stdout.
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined, writeOut: (s) => io.stdout.write(s) })
    .version(BUILD_INFO.version, '-V, --version', "pxauth's version (package.json), as GET /healthz reports it")
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .addHelpText('after', SETTINGS);
  const exec: Exec = Object.assign(
    async (run: Run | Promise<Run>, opts: { json?: boolean }) => {
      exit.code = await execute(await run, !!opts.json, io);
    },
    {
      bare: async (run: () => Promise<Output>, opts: { json?: boolean }) => {
        exit.code = await print(await run(), !!opts.json, io);
      },
      io,
    },
  );
  registerOperatorCommands(program, exec);
  registerUserCommands(program, exec);
  registerImportCommand(program, exec);
  registerKeysCommand(program, exec);
  registerMaintenanceCommands(program, exec);
  registerDbCommands(program, exec);
  registerReferenceCommand(program, io);
  return program;
}
