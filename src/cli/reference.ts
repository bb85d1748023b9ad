import { Command } from 'commander';
import { CliIo, SETTINGS, write } from './cli-context';
import { GUIDE } from './reference-guide';

/** The width docs/cli.md is written at, whatever the terminal that generates it. */
const WIDTH = 100;

/**
 * `help-all` (hidden): docs/cli.md, made of the guide and each command's own --help, so that the
 * reference cannot drift from the program (test/cli.e2e-spec.ts compares the two).
 * Regenerate with `npm run docs:cli` after changing a command.
 */
export function registerReferenceCommand(program: Command, io: CliIo): void {
  program
    .command('help-all', { hidden: true })
    .description('prints docs/cli.md: the guide and the --help of every command')
    .action(() => write(io.stdout, cliReference(program)));
}

export function cliReference(program: Command): string {
  const commands = program.commands.filter((c) => c.name() !== 'help-all');
  const sections = commands.map((c) => `### ${c.name()}\n\n\`\`\`\n${helpOf(c)}\`\`\``);
  return (
    [GUIDE.trim(), '## All commands', `\`\`\`\n${helpOf(program)}\`\`\``, ...sections.map((s) => s.trim())].join(
      '\n\n',
    ) + '\n'
  );
}

/** What `<command> --help` prints, at a fixed width and without colours; the settings note once, above. */
function helpOf(cmd: Command): string {
  let text = '';
  const saved = cmd.configureOutput();
  cmd.configureOutput({
    writeOut: (s: string) => (text += s),
    getOutHelpWidth: () => WIDTH,
    getOutHasColors: () => false,
  });
  try {
    cmd.outputHelp();
  } finally {
    cmd.configureOutput(saved);
  }
  return cmd.parent ? text.replace(`${SETTINGS.trim()}\n`, '').trimEnd() + '\n' : text;
}
