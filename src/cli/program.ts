import { Command } from 'commander';
import { Exec, SETTINGS, execute } from './cli-context';
import { registerOperatorCommands } from './operator-commands';
import { registerUserCommands } from './user-commands';
import { registerImportCommand } from './import-command';
import { registerKeysCommand } from './keys-command';

/**
 * The command line (PRODUCT.md section 9) on commander 14. Every command checks its options before
 * the app boots, so that a typo costs no database connection, then runs through the same services
 * as the admin API. `exit.code` receives the exit code of the command that ran.
 */
export function buildProgram(exit: { code: number }): Command {
  const program = new Command('npm run cli --')
    .usage('<command> [options]')
    .description('pxauth for operators: Plaid clients, staff keys, users, the audit trail and the database.')
    .exitOverride()
    // Commander's own messages go through main's one-line report instead of being printed twice.
    // (and the help commander prints on a bare `npm run cli --`: the report says to ask for it).
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .helpCommand(false)
    .showSuggestionAfterError(true)
    .addHelpText('after', SETTINGS);
  const exec: Exec = async (run, opts) => {
    exit.code = await execute(await run, !!opts.json);
  };
  registerOperatorCommands(program, exec);
  registerUserCommands(program, exec);
  registerImportCommand(program, exec);
  registerKeysCommand(program, exec);
  return program;
}
