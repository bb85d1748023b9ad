import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { RequiredString } from './dto';

class Probe {
  @RequiredString(1, 4) value: string;
}

/** The first message class-validator gives for `value`, or null when it passes. */
function problem(value: unknown): string | null {
  const errors = validateSync(plainToInstance(Probe, { value }), { stopAtFirstError: true });
  return errors.length ? Object.values(errors[0].constraints ?? {})[0] : null;
}

describe('RequiredString', () => {
  it.each([
    ['four ASCII characters', 'abcd'],
    ['four astral characters (eight UTF-16 units, four for PostgreSQL)', '😀😀😀😀'],
    ['a zero-width space, a character like another', '\u200Babc'],
  ])('%s: passes', (_name, value) => {
    expect(problem(value)).toBeNull();
  });

  it.each([
    ['five characters', 'abcde', 'must be 1 to 4 characters'],
    ['the empty string', '', 'must be 1 to 4 characters'],
    // class-validator's Length counted "a\uFE0F" as one character; varchar(n) counts two
    ['"a\\uFE0F" x 3: six characters', 'a\uFE0F'.repeat(3), 'must be 1 to 4 characters'],
    ['a NUL', 'a\u0000', 'must not contain NUL or unpaired surrogate characters'],
    ['a lone high surrogate', '\uD800', 'must not contain NUL or unpaired surrogate characters'],
    ['a lone low surrogate', 'a\uDC00', 'must not contain NUL or unpaired surrogate characters'],
    ['a number', 1234, 'must be a single string'],
    ['an array (a repeated form key)', ['a', 'b'], 'must be a single string'],
  ])('%s: refused', (_name, value, message) => {
    expect(problem(value)).toBe(message);
  });
});
