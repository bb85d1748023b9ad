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

  describe('the normal form (docs/api.md#post-usersauth_token: NFKC, trim, lower-case)', () => {
    it.each([
      ['  Alice  ', 'alice'],
      ['ＡＬＩＣＥ', 'alice'], // full-width letters fold under NFKC
      ['\u3392', 'mhz'], // "㎒" is "MHz" under NFKC
      ['\u212Bngstr\u00F6m', '\u00E5ngstr\u00F6m'], // the Angstrom sign is "Å"
      ['user_good\t\n', 'user_good'], // surrounding whitespace is trimmed, not refused
      ['\u00A0alice\u3000', 'alice'], // no-break and ideographic spaces too (NFKC: spaces)
      ['Alice@Bank.example', 'alice@bank.example'], // printable ASCII is all allowed (RFC 8264 4.2.1)
      ['\u{1D4D0}', 'a'], // an astral character is one code point
    ])('%j is %j', (raw, expected) => {
      expect(sut(raw, false)).toBe(expected);
    });

    it('keeps the case when USERNAME_CASE_SENSITIVE', () => {
      expect(sut(' Alice\u3392 ', true)).toBe('AliceMHz');
    });
  });

  describe('the length is checked after normalisation', () => {
    it(`${USERNAME_MAX} characters that stay ${USERNAME_MAX} pass`, () => {
      expect(sut('a'.repeat(USERNAME_MAX), false)).toHaveLength(USERNAME_MAX);
      expect(sut(' '.repeat(100) + 'b'.repeat(USERNAME_MAX) + ' '.repeat(100), false)).toHaveLength(USERNAME_MAX);
    });

    it('256 astral characters pass: PostgreSQL counts characters, not UTF-16 units', () => {
      const raw = '\u{1D4D0}'.repeat(USERNAME_MAX); // MATHEMATICAL BOLD SCRIPT CAPITAL A, NFKC "A"
      expect(sut(raw, false)).toBe('a'.repeat(USERNAME_MAX));
      expect(sut('\u{20000}'.repeat(USERNAME_MAX), false)).toHaveLength(2 * USERNAME_MAX); // a CJK ideograph
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

    it.each([[''], ['   '], ['\u3000\u00A0'], ['\t\u0085']])('%j is blank: 400', (raw) => {
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

  describe('what RFC 8265 refuses in a username is 400 naming username', () => {
    const refused = (raw: string, message: string) => {
      const e = thrown(() => sut(raw, false));
      expect([e.id, e.message]).toEqual([ErrorId.INVALID_REQUEST, `username: ${message}`]);
    };
    const invisible = (cp: string) => `must not contain invisible or formatting characters (U+${cp})`;

    it.each([
      ['200B', 'zero width space'],
      ['200C', 'zero width non-joiner, not after a virama nor between joining letters'],
      ['200D', 'zero width joiner, not after a virama'],
      ['2060', 'word joiner'],
      ['FEFF', 'zero width no-break space (a BOM): inside, and also at either end, which trim keeps'],
      ['200E', 'left-to-right mark'],
      ['200F', 'right-to-left mark'],
      ['202A', 'left-to-right embedding'],
      ['202B', 'right-to-left embedding'],
      ['202C', 'pop directional formatting'],
      ['202D', 'left-to-right override'],
      ['202E', 'right-to-left override'],
      ['2066', 'left-to-right isolate'],
      ['2067', 'right-to-left isolate'],
      ['2068', 'first strong isolate'],
      ['2069', 'pop directional isolate'],
      ['00AD', 'soft hyphen'],
      ['180E', 'Mongolian vowel separator (Cf)'],
      ['0600', 'Arabic number sign (Cf, not default-ignorable)'],
      ['E0041', 'a tag character'],
    ])('U+%s (%s)', (cp, _name) => {
      const ch = String.fromCodePoint(parseInt(cp, 16));
      for (const raw of [`odd${ch}user`, `${ch}odd`, `odd${ch}`]) refused(raw, invisible(cp));
    });

    it('256 zero-width spaces, a name that looks empty', () => {
      refused('\u200B'.repeat(USERNAME_MAX), invisible('200B'));
    });

    it.each([
      ['a space', 'odd user'],
      ['a no-break space (NFKC: a space)', 'odd\u00A0user'],
      ['an ideographic space', 'odd\u3000user'],
      ['an ogham space mark (a Zs that NFKC keeps)', 'odd\u1680user'],
      ['"ﷺ", whose NFKC has spaces', '\uFDFA'],
    ])('spaces inside: %s', (_name, raw) => refused(raw, 'must not contain spaces'));

    it.each([
      ['U+0378', '\u0378'],
      ['U+40000', String.fromCodePoint(0x40000)],
      ['U+E0080', String.fromCodePoint(0xe0080)],
    ])('an unassigned code point, %s', (name, ch) =>
      refused(`odd${ch}`, `must not contain unassigned code points (${name})`),
    );

    it.each([
      ['an emoji', '😀', '1F600'],
      ['a symbol', '☃', '2603'],
      ['the replacement character', '\uFFFD', 'FFFD'],
      ['non-ASCII punctuation', '«odd»', '00AB'],
      ['a private-use character', '\uE000', 'E000'],
      ['Arabic tatweel (an RFC 5892 exception)', '\u0640x', '0640'],
      ['a line separator', 'a\u2028b', '2028'],
      ['a noncharacter', 'a\uFFFFb', 'FFFF'],
    ])('%s', (name, raw, cp) => {
      const message =
        name === 'a noncharacter'
          ? invisible(cp)
          : `must not contain U+${cp}: a username takes letters, digits and printable ASCII (RFC 8265)`;
      refused(raw, message);
    });

    it('conjoining Hangul jamo that do not make a syllable', () => {
      refused('\u1100x', 'must not contain conjoining Hangul jamo (U+1100)');
    });

    it.each([
      ['a middle dot not between two l', 'a\u00B7b', '00B7'],
      ['a Greek keraia not before Greek', '\u0375a', '0375'],
      ['a Hebrew geresh not after Hebrew', 'a\u05F3', '05F3'],
      ['a katakana middle dot without kana or Han', 'a\u30FBb', '30FB'],
      ['Arabic-Indic digits mixed with extended ones', '\u0661\u06F1', '0661'],
    ])('%s (RFC 5892 appendix A)', (_name, raw, cp) =>
      refused(raw, `must not contain U+${cp} here (RFC 5892, appendix A)`),
    );

    it.each([
      ['a left-to-right letter before Hebrew', 'abc\u05E9\u05DC\u05D5\u05DD'],
      ['Hebrew then a left-to-right letter', '\u05E9\u05DC\u05D5\u05DDabc'],
      ['a digit first in right-to-left text', '1\u05E9\u05DC\u05D5\u05DD'],
      ['Arabic ending with punctuation', '\u0633\u0644\u0627\u0645!'],
      ['European and Arabic-Indic digits together in right-to-left text', '\u0633\u06611'],
    ])('%s: the Bidi Rule of RFC 5893', (_name, raw) =>
      refused(raw, 'must follow the Bidi Rule of RFC 5893 for right-to-left text'),
    );
  });

  describe('what RFC 8265 allows is kept', () => {
    it.each([
      ['Hebrew', '\u05E9\u05DC\u05D5\u05DD', null],
      ['Hebrew ending in a digit', '\u05E9\u05DC\u05D5\u05DD1', null],
      ['Arabic with an Arabic-Indic digit', '\u0645\u0631\u062D\u0628\u0627\u0663', null],
      ['Persian with a ZWNJ between joining letters', '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645', null],
      ['Devanagari with a ZWJ after a virama', '\u0915\u094D\u200D\u0937', null],
      ['Catalan l·l', 'col\u00B7lega', null],
      ['German sharp s (an exception kept as it is)', 'stra\u00DFe', null],
      ['Greek final sigma', '\u03BF\u03B4\u03CC\u03C2', null],
      ['a decomposed accent (NFKC composes it)', 'rene\u0301', 'ren\u00E9'],
      ['katakana with its middle dot', '\u30AB\u30FB\u30AB', null],
      ['Hangul syllables', '\uD55C\uAE00', null],
      ['Han', '\u6F22\u5B57', null],
      ['the ASCII punctuation of email addresses and handles', "o'neil+pxauth_1.test-x@bank.example", null],
    ])('%s', (_name, raw, expected: string | null) => {
      expect(sut(raw, false)).toBe(expected ?? raw.normalize('NFKC').toLowerCase());
    });
  });
});
