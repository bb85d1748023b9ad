import { PxError } from '@/common/errors/px.error';
import { codePointLength, hasControl, hasLoneSurrogate } from '@/common/http/text';

/** PRODUCT.md section 4: a username is 1 to 256 characters, the length both `users` columns hold. */
export const USERNAME_MAX = 256;

/**
 * Usernames are compared after NFKC, trim and (unless USERNAME_CASE_SENSITIVE) lower-case. The
 * length is checked on what is stored, after normalisation (issue 6): NFKC can triple a string
 * ("㎒" is "MHz") and lower-case can lengthen it ("İ" is "i̇"), so 256 characters on the wire can be
 * 768 in the database. Anything that could not be stored as given is 400 INVALID_REQUEST:
 * control characters (NUL, which PostgreSQL text cannot hold; the others nobody types, and they
 * would reach support staff's screens and the logs) and lone surrogates (the drivers would store
 * U+FFFD instead, and two different usernames would become one).
 */
export function normalizeUsername(raw: string, caseSensitive: boolean): string {
  if (hasLoneSurrogate(raw)) throw PxError.invalid('username: must not contain unpaired surrogate characters');
  const stored = raw.normalize('NFKC').trim();
  if (hasControl(stored)) throw PxError.invalid('username: must not contain control characters');
  const norm = caseSensitive ? stored : stored.toLowerCase();
  if (!norm) throw PxError.invalid('username: must not be blank');
  // `stored` is what users.username holds (UsersService.prepare), `norm` what username_norm holds.
  if (Math.max(codePointLength(stored), codePointLength(norm)) > USERNAME_MAX)
    throw PxError.invalid(`username: must be at most ${USERNAME_MAX} characters after normalisation`);
  return norm;
}
