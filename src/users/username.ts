import { apiText, PxError } from '@/common/errors/px.error';
import { codePointLength, hasControl, hasLoneSurrogate } from '@/common/http/text';
import { precisProblem } from './precis';

/** docs/api.md#post-usersauth_token: a username is 1 to 256 characters, the length both `users` columns hold. */
export const USERNAME_MAX = 256;

/**
 * NFKC, then white space trimmed at both ends: what `users.username` holds. The trim is Unicode's
 * White_Space, not String.prototype.trim, which also drops U+FEFF: a zero-width no-break space is
 * refused wherever it stands, like the other invisible characters (RFC 8264 section 9.13).
 */
export function storedUsername(raw: string): string {
  return raw.normalize('NFKC').replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
}

/**
 * Usernames are compared after NFKC, trim and (unless USERNAME_CASE_SENSITIVE) lower-case. The
 * length is checked on what is stored, after normalisation: NFKC can triple a string
 * ("㎒" is "MHz") and lower-case can lengthen it ("İ" is "i̇"), so 256 characters on the wire can be
 * 768 in the database. Anything that could not be stored as given is 400 INVALID_REQUEST:
 * control characters (NUL, which PostgreSQL text cannot hold; the others nobody types, and they
 * would reach support staff's screens and the logs) and lone surrogates (the drivers would store
 * U+FFFD instead, and two different usernames would become one).
 *
 * What is compared must also be an RFC 8265 username (the UsernameCaseMapped profile, or
 * UsernameCasePreserved when case matters): letters, digits and printable ASCII ('@' and '.'
 * included), no spaces inside, no invisible or bidi-control characters that would make two names
 * look alike on a support screen, nothing Unicode has not assigned yet (its meaning, and so its
 * normal form, may change), and right-to-left text under the Bidi Rule. NFKC maps what RFC 8264
 * calls HasCompat (full-width letters, "㎒") before the check instead of refusing it, as usernames
 * have always been compared (docs/api.md).
 */
export function normalizeUsername(raw: string, caseSensitive: boolean): string {
  if (hasLoneSurrogate(raw)) throw PxError.invalid(apiText('username.surrogates'));
  const stored = storedUsername(raw);
  if (hasControl(stored)) throw PxError.invalid(apiText('username.control'));
  const norm = caseSensitive ? stored : stored.toLowerCase();
  if (!norm) throw PxError.invalid(apiText('username.blank'));
  // `stored` is what users.username holds (UsersService.prepare), `norm` what username_norm holds.
  if (Math.max(codePointLength(stored), codePointLength(norm)) > USERNAME_MAX)
    throw PxError.invalid(apiText('username.tooLong', { max: USERNAME_MAX }));
  const problem = precisProblem(norm);
  if (problem) throw PxError.invalid(apiText('username.precis', { problem }));
  return norm;
}

/** `LIKE` pattern for "starts with": the prefix's own `\`, `%` and `_` are escaped (with `ESCAPE '\'`). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
