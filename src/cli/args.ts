import { parseArgs } from 'node:util';

/** A command line that cannot be run as written: usage text on stderr, exit 2 (as most Unix tools do). */
export class UsageError extends Error {}

// Every flag of every command, declared once so that node:util's strict mode rejects typos;
// which command accepts which is checked against each command's own list.
const OPTIONS = {
  name: { type: 'string' },
  role: { type: 'string' },
  'client-id': { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'user-id': { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'institution-id': { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
  totp: { type: 'boolean' },
  kba: { type: 'string', multiple: true },
  'terms-version': { type: 'string' },
  'mfa-preference': { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type FlagName = keyof typeof OPTIONS;
export type Flags = {
  [K in FlagName]?: (typeof OPTIONS)[K] extends { type: 'boolean' }
    ? boolean
    : (typeof OPTIONS)[K] extends { multiple: true }
      ? string[]
      : string;
};

export interface Invocation {
  command?: string;
  flags: Flags;
  json: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run cli -- <command> [--flags] [--json]

Commands:
  clients:create --name N [--redirect-uri URI ...]
                                               a Plaid client; prints client_id and client_secret (shown once);
                                               OAuth redirect URIs, Plaid's by default
  clients:rotate --client-id ID                adds a second secret to a client (shown once)
  staff:create --name N --role admin|support|resource-server
                                               a staff key for the internal listener (shown once)
  users:create --username U (--password P | --password-stdin) [--institution-id I]
               [--phone E164] [--email E] [--totp] [--kba "Question?=Answer" ...]
               [--terms-version N] [--mfa-preference totp|otp|kba]
  users:unlock (--user-id ID | --username U [--institution-id I])
  users:show   (--user-id ID | --username U [--institution-id I])
  outbox:list [--to X]                         what the sandbox delivered, newest first
  db:migrate                                   runs pending migrations and lists those applied

Options:
  --json       print JSON instead of text
  -h, --help   print this help

Settings (DATABASE_URL, ENCRYPTION_KEY, ...) are read from the environment, as the service reads them.
`;

/** Splits argv into the command and its flags; throws UsageError for anything parseArgs refuses. */
export function parseInvocation(argv: string[]): Invocation {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { json, help, ...flags } = parsed.values as Flags;
  const [command, ...extra] = parsed.positionals;
  if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`);
  return { command, flags, json: !!json, help: !!help };
}

/** Refuses a flag the command does not take, so that a misplaced flag is never silently ignored. */
export function checkFlags(command: string, flags: Flags, allowed: readonly FlagName[]): void {
  const stray = (Object.keys(flags) as FlagName[]).find((f) => !allowed.includes(f));
  if (stray) throw new UsageError(`${command} does not take --${stray}`);
}

/** A required string flag; an empty value counts as missing. */
export function required(flags: Flags, name: 'name' | 'role' | 'client-id' | 'username', command: string): string {
  const v = flags[name];
  if (!v?.trim()) throw new UsageError(`${command} needs --${name}`);
  return v;
}
