/** Answers are compared after NFKC, trim, collapsed spaces and lower-case (docs/api.md#post-usersuser_id2fa). */
export function normalizeAnswer(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** What an answer may be, like the `answers[i].text` that 2fa reads (auth.dto). */
export const KBA_ANSWER_MAX = 256;

/**
 * Lengths are checked after normalisation. An answer of spaces alone would be enrolled as
 * the empty string, which any blank answer then matches; one that NFKC grows past KBA_ANSWER_MAX
 * ("ﷺ" is 18 characters) could not be typed back in its normal form.
 */
export function isEnrollableAnswer(raw: string): boolean {
  const n = Array.from(normalizeAnswer(raw)).length;
  return n >= 1 && n <= KBA_ANSWER_MAX;
}
