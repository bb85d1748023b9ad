/**
 * RFC 8264's IdentifierClass (section 4.2), as RFC 8265 uses it for usernames, with RFC 5893's Bidi
 * Rule (RFC 8265 section 3.4.1). Each code point is classed in the order of RFC 8264 section 8, so
 * the exceptions of RFC 5892 section 2.6 and the joiners' context rules (Appendix A) come first.
 * ECMAScript regexes know the general category, Default_Ignorable_Code_Point and scripts, but not
 * Joining_Type or Bidi_Class: those two are approximated as the comments below say.
 */

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

// RFC 5892 section 2.6: PVALID and DISALLOWED whatever their category; the CONTEXTO ones below.
const EXCEPTION_PVALID = new Set([0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007]);
const EXCEPTION_DISALLOWED = new Set([0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b]);
const isArabicIndic = (cp: number) => cp >= 0x0660 && cp <= 0x0669;
const isExtendedArabicIndic = (cp: number) => cp >= 0x06f0 && cp <= 0x06f9;
const CONTEXTO = new Set([0x00b7, 0x0375, 0x05f3, 0x05f4, 0x30fb]);

const LETTER_DIGITS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
const IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
const JOINING_SCRIPT_LETTER =
  /^(?=\p{L})[\p{scx=Arabic}\p{scx=Syriac}\p{scx=Nko}\p{scx=Mongolian}\p{scx=Mandaic}\p{scx=Adlam}\p{scx=Hanifi_Rohingya}\p{scx=Manichaean}\p{scx=Psalter_Pahlavi}\p{scx=Sogdian}\p{scx=Old_Uyghur}\p{scx=Chorasmian}]$/u;

/**
 * Canonical_Combining_Class 9 (a virama), which the joiners' rule needs (RFC 5892 A.1, A.2). NFD
 * orders marks by class: a mark that sorts after a nukta (class 7) and before a sheva (class 10) is
 * of class 8 or 9, and the only ones of class 8 are the kana voicing marks.
 */
function isVirama(ch: string): boolean {
  if (ch === '\u3099' || ch === '\u309A') return false;
  const NUKTA = '\u093C';
  const SHEVA = '\u05B0';
  return (
    `a${ch}${NUKTA}`.normalize('NFD') === `a${NUKTA}${ch}` && `a${SHEVA}${ch}`.normalize('NFD') === `a${ch}${SHEVA}`
  );
}

/**
 * RFC 5892 A.1 (ZWNJ) and A.2 (ZWJ): after a virama; ZWNJ also between two letters that join. For
 * the second, Joining_Type is taken as "a letter of a joining script", marks (transparent) skipped.
 */
function joinerAllowed(chars: string[], i: number): boolean {
  if (i > 0 && isVirama(chars[i - 1])) return true;
  if (chars[i] !== '\u200C') return false;
  let before = i - 1;
  while (before >= 0 && /^\p{Mn}$/u.test(chars[before])) before--;
  let after = i + 1;
  while (after < chars.length && /^\p{Mn}$/u.test(chars[after])) after++;
  return (
    before >= 0 &&
    after < chars.length &&
    JOINING_SCRIPT_LETTER.test(chars[before]) &&
    JOINING_SCRIPT_LETTER.test(chars[after])
  );
}

/** RFC 5892 A.3 to A.9. */
function contextOAllowed(chars: string[], i: number, cps: number[]): boolean {
  const cp = cps[i];
  if (cp === 0x00b7) return chars[i - 1] === 'l' && chars[i + 1] === 'l';
  if (cp === 0x0375) return i + 1 < chars.length && /^\p{sc=Greek}$/u.test(chars[i + 1]);
  if (cp === 0x05f3 || cp === 0x05f4) return i > 0 && /^\p{sc=Hebrew}$/u.test(chars[i - 1]);
  if (cp === 0x30fb) return chars.some((c) => /^[\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Han}]$/u.test(c));
  if (isArabicIndic(cp)) return !cps.some(isExtendedArabicIndic);
  return !cps.some(isArabicIndic);
}

const notInClass = (cp: number) =>
  `must not contain ${hex(cp)}: a username takes letters, digits and printable ASCII (RFC 8265)`;

/** Why one code point cannot be in the username at position i, or null (RFC 8264 section 8's order). */
function codePointProblem(chars: string[], cps: number[], i: number): string | null {
  const [ch, cp] = [chars[i], cps[i]];
  if (EXCEPTION_PVALID.has(cp)) return null;
  if (EXCEPTION_DISALLOWED.has(cp)) return notInClass(cp);
  if (CONTEXTO.has(cp) || isArabicIndic(cp) || isExtendedArabicIndic(cp))
    return contextOAllowed(chars, i, cps) ? null : `must not contain ${hex(cp)} here (RFC 5892, appendix A)`;
  if (/^\p{Cn}$/u.test(ch) && !/^\p{Noncharacter_Code_Point}$/u.test(ch))
    return `must not contain unassigned code points (${hex(cp)})`;
  if (cp >= 0x21 && cp <= 0x7e) return null;
  if (cp === 0x200c || cp === 0x200d)
    return joinerAllowed(chars, i) ? null : `must not contain invisible or formatting characters (${hex(cp)})`;
  // Old Hangul Jamo (RFC 5892 section 2.9): the conjoining jamo blocks.
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff))
    return `must not contain conjoining Hangul jamo (${hex(cp)})`;
  if (IGNORABLE.test(ch)) return `must not contain invisible or formatting characters (${hex(cp)})`;
  if (/^\p{Cc}$/u.test(ch)) return 'must not contain control characters';
  if (ch.normalize('NFKC') !== ch) return notInClass(cp);
  if (LETTER_DIGITS.test(ch)) return null;
  if (/^\p{Zs}$/u.test(ch)) return 'must not contain spaces';
  if (/^\p{Cf}$/u.test(ch)) return `must not contain invisible or formatting characters (${hex(cp)})`;
  return notInClass(cp);
}

type Bidi = 'L' | 'R' | 'AN' | 'EN' | 'ES' | 'CS' | 'ET' | 'ON' | 'BN' | 'NSM';

/**
 * Bidi_Class, for what IdentifierClass lets through (letters, digits, marks, printable ASCII, the
 * joiners): ASCII by its table; the joiners BN; a mark NSM; a letter or digit in the blocks where
 * Unicode puts the right-to-left scripts (whose unlisted code points default to R or AL) R, but the
 * Arabic-Indic digits AN and the extended ones EN; anything else L. R and AL behave alike here.
 */
function bidiClass(ch: string, cp: number): Bidi {
  if (cp < 0x80) {
    if (cp >= 0x30 && cp <= 0x39) return 'EN';
    if (ch === '+' || ch === '-') return 'ES';
    if (',./:'.includes(ch)) return 'CS';
    if ('#$%'.includes(ch)) return 'ET';
    return /[A-Za-z]/.test(ch) ? 'L' : 'ON';
  }
  if (cp === 0x200c || cp === 0x200d) return 'BN';
  if (/^[\p{Mn}\p{Me}]$/u.test(ch)) return 'NSM';
  const rtlBlock =
    (cp >= 0x0590 && cp <= 0x08ff) ||
    (cp >= 0xfb1d && cp <= 0xfdff) ||
    (cp >= 0xfe70 && cp <= 0xfeff) ||
    (cp >= 0x10800 && cp <= 0x10fff) ||
    (cp >= 0x1e800 && cp <= 0x1efff);
  if (!rtlBlock) return 'L';
  if (isArabicIndic(cp) || cp === 0x066b || cp === 0x066c || (cp >= 0x10d30 && cp <= 0x10d39)) return 'AN';
  if (isExtendedArabicIndic(cp)) return 'EN';
  return 'R';
}

/** RFC 5893 section 2, for a string with a right-to-left character; true when it passes. */
function passesBidiRule(chars: string[], cps: number[]): boolean {
  const classes = chars.map((ch, i) => bidiClass(ch, cps[i]));
  if (!classes.some((c) => c === 'R' || c === 'AN')) return true;
  const last = [...classes].reverse().find((c) => c !== 'NSM');
  if (classes[0] === 'R') {
    const allowed = new Set<Bidi>(['R', 'AN', 'EN', 'ES', 'CS', 'ET', 'ON', 'BN', 'NSM']);
    return (
      classes.every((c) => allowed.has(c)) &&
      (last === 'R' || last === 'EN' || last === 'AN') &&
      !(classes.includes('EN') && classes.includes('AN'))
    );
  }
  // Rule 1 (an L or R first) and rule 5 (no R or AN in a left-to-right string) together refuse the rest.
  return false;
}

/** Why `s` (already mapped: NFKC, trimmed, case-mapped) is not an RFC 8265 username, or null. */
export function precisProblem(s: string): string | null {
  const chars = Array.from(s);
  const cps = chars.map((c) => c.codePointAt(0)!);
  for (let i = 0; i < chars.length; i++) {
    const problem = codePointProblem(chars, cps, i);
    if (problem) return problem;
  }
  return passesBidiRule(chars, cps) ? null : 'must follow the Bidi Rule of RFC 5893 for right-to-left text';
}
