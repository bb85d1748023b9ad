// What a value must be to be stored as given, on both engines.

/** Characters as PostgreSQL's varchar(n) counts them: code points, not UTF-16 units. */
export const codePointLength = (s: string): number => Array.from(s).length;

/**
 * NUL, which a PostgreSQL text value cannot hold (SQLSTATE 22021), and UTF-16 surrogates without
 * their pair, which are no character at all: the drivers would store U+FFFD in their place.
 */
export const unstorable = (s: string): boolean => /[\0\p{Cs}]/u.test(s);

/** C0 (NUL included), DEL and C1 controls. */
export const hasControl = (s: string): boolean => /\p{Cc}/u.test(s);

/** A lone UTF-16 surrogate: in `u` mode a well-formed pair is one code point and does not match. */
export const hasLoneSurrogate = (s: string): boolean => /\p{Cs}/u.test(s);
