import { Command, InvalidArgumentError } from 'commander';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import type { UpdateUserDto } from '@/staff/admin/admin.dto';
import { UsageError, Exec, subcommand } from './cli-context';
import { CreateUserOptions, createUserDto, newPassword } from './cli-input';
import { createdUserText, userText } from './format';

interface LookupOptions {
  userId?: string;
  username?: string;
  institutionId?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** What users:reset-factor removes, as PATCH /admin/users/:id removes it (null, false or []). */
const REMOVALS: Record<string, UpdateUserDto> = {
  totp: { totp: false },
  kba: { kba: [] },
  phone: { phone: null },
  email: { email: null },
};
const factorOf = (value: string, previous: string[] = []) => {
  if (!(value in REMOVALS)) throw new InvalidArgumentError(`must be one of ${Object.keys(REMOVALS).join(', ')}`);
  return [...previous, value];
};
const reasonOf = (value: string) => {
  if (!value.trim() || value.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters');
  return value;
};

/** users:create, users:show, users:unlock, users:lock, users:rename and the resets: the admin API's user operations. */
export function registerUserCommands(program: Command, exec: Exec): void {
  subcommand(program, 'users:create', 'a user; with --totp prints the otpauth:// URI once')
    .requiredOption('--username <name>', 'the username the customer types')
    .option('--password <password>', 'the password (visible in the shell history: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--institution-id <id>', 'the institution (default DEFAULT_INSTITUTION_ID)')
    .option('--phone <e164>', 'for SMS and voice passcodes, E.164 such as +14155550123')
    .option('--email <address>', 'for email passcodes')
    .option('--totp', 'enrol an authenticator app')
    .option('--kba <"Question?=Answer">', 'a security question and its answer; repeat for more', collect)
    .option('--terms-version <n>', 'the terms version the user accepted (default TERMS_VERSION)')
    .option('--mfa-preference <kind>', 'totp, otp or kba')
    .action((o: CreateUserOptions & { json?: boolean }) =>
      exec(
        createUserDto(o, exec.io.stdin).then((dto) => async (app) => {
          const user = await app.get(AdminUsersService).create(dto);
          return { data: user, text: createdUserText(user) };
        }),
        o,
      ),
    );

  withLookup(subcommand(program, 'users:show', 'a user: lock state, factors (masked), terms')).action(
    (o: LookupOptions) => {
      const lookup = userLookup('users:show', o);
      return exec(async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.get(await lookup(users));
        return { data: user, text: userText(user) };
      }, o);
    },
  );

  withLookup(subcommand(program, 'users:unlock', 'clears the lock and the failure count')).action(
    (o: LookupOptions) => {
      const lookup = userLookup('users:unlock', o);
      return exec(async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.unlock(await lookup(users));
        return { data: user, text: `Unlocked.\n${userText(user)}` };
      }, o);
    },
  );

  withLookup(subcommand(program, 'users:lock', 'locks the user until unlocked'))
    .option('--reason <text>', 'why, for the audit trail and support staff (up to 200 characters)')
    .action((o: LookupOptions & { reason?: string }) => {
      if (o.reason !== undefined && (!o.reason.trim() || o.reason.length > 200))
        throw PxError.invalid('--reason: must be 1 to 200 characters');
      const lookup = userLookup('users:lock', o);
      return exec(async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.lock(await lookup(users), o.reason);
        return { data: user, text: `Locked.\n${userText(user)}` };
      }, o);
    });

  withLookup(
    subcommand(program, 'users:reset-password', "sets a local user's password; ends their tokens and open logins"),
  )
    .option('--reason <text>', 'why, for the audit trail (up to 200 characters)', reasonOf)
    .addHelpText(
      'after',
      `
The new password is never an argument (ps and the shell history would show it): at a terminal it is
asked for twice without echo; otherwise it is all of standard input, less one final newline:
  printf '%s' "$NEW_PASSWORD" | npm run cli -- users:reset-password --username alice
Every token of the user is revoked and every open challenge ends (as POST /admin/users/:id/password).`,
    )
    .action((o: LookupOptions & { reason?: string }) => {
      const lookup = userLookup('users:reset-password', o);
      return exec(
        newPassword(exec.io).then((password) => async (app) => {
          const users = app.get(AdminUsersService);
          const user = await users.setPassword(await lookup(users), password, o.reason);
          return { data: user, text: `Password set; ${user.tokens_revoked} token(s) revoked.\n${userText(user)}` };
        }),
        o,
      );
    });

  withLookup(
    subcommand(
      program,
      'users:reset-factor',
      'removes second factors (totp, kba, phone, email) and ends open challenges',
    ),
  )
    .requiredOption('--factor <factor>', 'totp, kba, phone or email; repeat for more', factorOf)
    .option('--reason <text>', 'why, for the audit trail (up to 200 characters)', reasonOf)
    .addHelpText(
      'after',
      `
As PATCH /admin/users/:id with null, false or []: the user's open challenges end at once.`,
    )
    .action((o: LookupOptions & { factor: string[]; reason?: string }) => {
      const lookup = userLookup('users:reset-factor', o);
      const removal = o.factor.reduce<UpdateUserDto>((dto, f) => ({ ...dto, ...REMOVALS[f] }), {});
      return exec(async (app) => {
        const users = app.get(AdminUsersService);
        // Only removals: what support staff may do through the admin API, and no more is asked here.
        const user = await users.update(await lookup(users), removal, 'support', o.reason);
        return { data: user, text: `Removed ${[...new Set(o.factor)].join(', ')}.\n${userText(user)}` };
      }, o);
    });

  withLookup(
    subcommand(program, 'users:rename', 'a local user gets a new username; user_id, lock, factors, tokens stay'),
  )
    .requiredOption('--to <name>', 'the new username, checked as at creation; in the same institution')
    .option('--reason <text>', 'why, for the audit trail (up to 200 characters)', reasonOf)
    .action((o: LookupOptions & { to: string; reason?: string }) => {
      const lookup = userLookup('users:rename', o);
      return exec(async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.rename(await lookup(users), o.to, o.reason);
        return { data: user, text: `Renamed.\n${userText(user)}` };
      }, o);
    });
}

function withLookup(cmd: Command): Command {
  return cmd
    .option('--user-id <id>', 'the user_id')
    .option('--username <name>', 'the username (unique across institutions, or with --institution-id)')
    .option('--institution-id <id>', 'the institution of --username');
}

/**
 * A user by `--user-id`, or by `--username` in `--institution-id`; without an institution the name
 * must be unique across institutions, so that the command never acts on a namesake by chance.
 */
function userLookup(command: string, o: LookupOptions): (users: AdminUsersService) => Promise<string> {
  const { userId: id, username, institutionId: institution } = o;
  if ((id === undefined) === (username === undefined))
    throw new UsageError(`${command} needs one of --user-id and --username`);
  if (id !== undefined && institution !== undefined)
    throw new UsageError('--institution-id goes with --username, not --user-id');
  if (id !== undefined) return () => Promise.resolve(id);
  // An empty name would match every user (the search treats it as no filter).
  if (!username?.trim()) throw PxError.invalid('--username: must not be empty');
  return async (users) => {
    const found = await users.find(username, institution);
    if (!found.length) throw new PxError(ErrorId.NOT_FOUND, 'No such user.');
    if (found.length > 1) {
      const where = found.map((u) => u.institution_id).join(', ');
      throw new PxError(
        ErrorId.CONFLICT,
        `Several users are named ${username} (institutions ${where}); give --institution-id.`,
      );
    }
    return found[0].user_id;
  };
}
