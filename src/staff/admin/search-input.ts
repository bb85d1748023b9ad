import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** What the one search box took its input for; the answer says which, so staff see how it was read. */
export const SEARCH_KINDS = ['request_id', 'email', 'phone', 'username'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchInput {
  kind: SearchKind;
  /** The value compared: the request id, the email lowercased, the E.164 number, or the text as typed. */
  value: string;
}

// A request id pxauth made itself is a UUID (it keeps a well-formed X-Request-Id it was sent).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Digits and the punctuation people write numbers with; letters would let a username read as a vanity number.
const PHONE_LIKE = /^\+?[\d\s().-]{7,30}$/;

/**
 * Decides what a caller's words are: a UUID is a request id, text with @ an email, a valid number
 * (read in `region` when it has no +code) a phone; anything else is a username prefix or a user_id.
 */
export function interpretSearch(raw: string, region: string): SearchInput {
  const q = raw.trim();
  if (UUID.test(q)) return { kind: 'request_id', value: q };
  if (q.includes('@')) return { kind: 'email', value: q.toLowerCase() };
  if (PHONE_LIKE.test(q)) {
    const parsed = parsePhoneNumberFromString(q, region as CountryCode);
    if (parsed?.isValid()) return { kind: 'phone', value: parsed.number };
  }
  return { kind: 'username', value: q };
}
