import type { AppConfig } from '@/config/app-config';
import { normalizeUsername } from '@/users/username';

/** A typed (institution, username) as normalised: where wrong passwords count before anyone knows who was meant. */
export interface GuardKey {
  institutionId: string;
  usernameNorm: string;
}

/**
 * A person pxauth knows (README, "Locks follow the person"): the user row holds the lock, whatever
 * identifier was typed. `usernameNorm` is the name the user holds now, whose password count support
 * staff see beside the person's own and clear with it.
 */
export interface PersonKey {
  userId: string;
  institutionId: string;
  usernameNorm: string;
}

/** What a lock or a count is kept on. */
export type LockTarget = GuardKey | PersonKey;

export const isPerson = (t: LockTarget): t is PersonKey => 'userId' in t && typeof t.userId === 'string';

/** The settings a typed name is read under. */
export type NameRules = Pick<AppConfig, 'DEFAULT_INSTITUTION_ID' | 'USERNAME_CASE_SENSITIVE'>;

/**
 * The key of a name as it was typed (at a login, for a new user, in an imported row): no institution
 * is DEFAULT_INSTITUTION_ID, and the username is compared as `users.username_norm` holds it (README,
 * "The API"). A username that could not be stored is 400 INVALID_REQUEST.
 */
export function guardKey(rules: NameRules, institutionId: string | undefined, username: string): GuardKey {
  return {
    institutionId: institutionId || rules.DEFAULT_INSTITUTION_ID,
    usernameNorm: normalizeUsername(username, rules.USERNAME_CASE_SENSITIVE),
  };
}

/**
 * The key of a name normalised already: the one a person holds now, or `typed`, the one a login of
 * theirs was typed with (a challenge keeps it). Not normalised again: it is what the row holds.
 */
export function nameOf(person: { institutionId: string; usernameNorm: string }, typed?: string | null): GuardKey {
  return { institutionId: person.institutionId, usernameNorm: typed ?? person.usernameNorm };
}

/** Where the user's own lock and counts are kept, whatever identifier they typed (README, "Locks follow the person"). */
export function personKey(user: { id: string; institutionId: string; usernameNorm: string }): PersonKey {
  return { userId: user.id, institutionId: user.institutionId, usernameNorm: user.usernameNorm };
}
