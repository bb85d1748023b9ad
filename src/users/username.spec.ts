import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { USERNAME_MAX, normalizeUsername } from './username';

/** The PxError that `fn` throws, so a test can check its id and message. */
function thrown(fn: () => unknown): PxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PxError) return e;
    throw e;
  }
  throw new Error('expected a PxError, nothing was thrown');
}

describe(normalizeUsername.name, () => {
  const sut = normalizeUsername;

  describe('the normal form (PRODUCT.md section 4: NFKC, trim, lower-case)', () => {
    it.each([
      ['  Alice  ', 'alice'],
      ['ＡＬＩＣＥ', 'alice'], // full-width letters fold under NFKC
      ['\u3392', 'mhz'], // "㎒" is "MHz" under NFKC
      ['\u212Bngstr\u00F6m', '\u00E5ngstr\u00F6m'], // the Angstrom sign is "Å"
      ['user_good\t\n', 'user_good'], // surrounding whitespace is trimmed, not refused
      ['\u200Balice', '\u200Balice'], // a zero-width space is a character like another: kept, counted
      ['\u202Ealice', '\u202Ealice'], // a bidi override too
      ['😀', '😀'], // a surrogate pair is one character
    ])('%j is %j', (raw, expected) => {
      expect(sut(raw, false)).toBe(expected);
    });

    it('keeps the case when USERNAME_CASE_SENSITIVE', () => {
      expect(sut(' Alice\u3392 ', true)).toBe('AliceMHz');
    });
  });

  describe('the length is checked after normalisation (issue 6)', () => {
    it(`${USERNAME_MAX} characters that stay ${USERNAME_MAX} pass`, () => {
      expect(sut('a'.repeat(USERNAME_MAX), false)).toHaveLength(USERNAME_MAX);
      expect(sut(' '.repeat(100) + 'b'.repeat(USERNAME_MAX) + ' '.repeat(100), false)).toHaveLength(USERNAME_MAX);
    });

    it('256 astral characters pass: PostgreSQL counts characters, not UTF-16 units', () => {
      const raw = '\u{1D4D0}'.repeat(USERNAME_MAX); // MATHEMATICAL BOLD SCRIPT CAPITAL A, NFKC "A"
      expect(sut(raw, false)).toBe('a'.repeat(USERNAME_MAX));
      expect(sut('😀'.repeat(USERNAME_MAX), false)).toHaveLength(2 * USERNAME_MAX);
    });

    it.each([
      ['"㎒" x 256, which is "MHz" x 256 = 768 characters', '\u3392'.repeat(USERNAME_MAX)],
      ['"㎒" x 86, which is 258 characters', '\u3392'.repeat(86)],
      ['"ﷺ" x 15, which is 18 characters each', '\uFDFA'.repeat(15)],
      ['"İ" x 129, which lower-cases to 2 characters each', '\u0130'.repeat(129)],
      ['257 plain characters', 'u'.repeat(USERNAME_MAX + 1)],
    ])('%s is 400 INVALID_REQUEST naming username', (_name, raw) => {
      const e = thrown(() => sut(raw, false));
      expect(e.id).toBe(ErrorId.INVALID_REQUEST);
      expect(e.message).toBe(`username: must be at most ${USERNAME_MAX} characters after normalisation`);
    });

    it('"İ" x 129 is 129 characters as stored, and so passes when case matters', () => {
      expect(sut('\u0130'.repeat(129), true)).toHaveLength(129);
    });

    it.each([[''], ['   '], ['\u3000\u00A0'], ['\uFEFF']])('%j is blank: 400', (raw) => {
      const e = thrown(() => sut(raw, false));
      expect([e.id, e.message]).toEqual([ErrorId.INVALID_REQUEST, 'username: must not be blank']);
    });
  });

  describe('what no column can hold faithfully is refused', () => {
    it.each([
      ['NUL', 'a\u0000b'],
      ['a bell', 'a\u0007b'],
      ['an escape', 'a\u001b[31mb'],
      ['DEL', 'a\u007fb'],
      ['a C1 control (NEL)', 'a\u0085b'],
      ['a C1 control (CSI)', 'a\u009bb'],
      ['a line feed inside', 'a\nb'],
    ])('%s: 400 naming username', (_name, raw) => {
      const e = thrown(() => sut(raw, false));
      expect([e.id, e.message]).toEqual([ErrorId.INVALID_REQUEST, 'username: must not contain control characters']);
    });

    it.each([
      ['a lone high surrogate', 'a\uD800b'],
      ['a lone low surrogate', 'a\uDC00b'],
      ['a high surrogate at the end', 'ab\uD83D'],
      ['two high surrogates', '\uD83D\uD83D\uDE00'],
    ])('%s: 400 naming username', (_name, raw) => {
      const e = thrown(() => sut(raw, false));
      expect([e.id, e.message]).toEqual([
        ErrorId.INVALID_REQUEST,
        'username: must not contain unpaired surrogate characters',
      ]);
    });
  });
});
