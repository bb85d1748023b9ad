/** Usernames are compared after NFKC, trim and (unless USERNAME_CASE_SENSITIVE) lower-case. */
export function normalizeUsername(raw: string, caseSensitive: boolean): string {
  const n = raw.normalize('NFKC').trim();
  return caseSensitive ? n : n.toLowerCase();
}
