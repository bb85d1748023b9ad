import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import { Flags, UsageError } from './args';
import type { Command } from './commands';
import { createdUserText, userText } from './format';
import { createUserDto } from './user-input';

const LOOKUP_FLAGS = ['user-id', 'username', 'institution-id'] as const;

export const USER_COMMANDS: Record<string, Command> = {
  'users:create': {
    flags: [
      'username',
      'password',
      'password-stdin',
      'institution-id',
      'phone',
      'email',
      'totp',
      'kba',
      'terms-version',
      'mfa-preference',
    ],
    async prepare(flags) {
      const dto = await createUserDto(flags);
      return async (app) => {
        const user = await app.get(AdminUsersService).create(dto);
        return { data: user, text: createdUserText(user) };
      };
    },
  },
  'users:unlock': {
    flags: LOOKUP_FLAGS,
    prepare(flags) {
      const lookup = userLookup('users:unlock', flags);
      return async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.unlock(await lookup(users));
        return { data: user, text: `Unlocked.\n${userText(user)}` };
      };
    },
  },
  'users:show': {
    flags: LOOKUP_FLAGS,
    prepare(flags) {
      const lookup = userLookup('users:show', flags);
      return async (app) => {
        const users = app.get(AdminUsersService);
        const user = await users.get(await lookup(users));
        return { data: user, text: userText(user) };
      };
    },
  },
};

/**
 * A user by `--user-id`, or by `--username` in `--institution-id`; without an institution the name
 * must be unique across institutions, so that the command never acts on a namesake by chance.
 */
function userLookup(command: string, flags: Flags): (users: AdminUsersService) => Promise<string> {
  const { 'user-id': id, username, 'institution-id': institution } = flags;
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
