import { parseDurationMs } from './duration';

// Settings come from the environment, so every raw value is a string (or absent). A value the
// transform cannot read is passed on unchanged, for the validator to refuse with the variable's name.
const absent = (value: unknown) => value === undefined || value === '';
// Exactly these words and no others: `SANDBOX=ture` must stop the start, not read as false.
const BOOLEAN_WORDS = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['false', false],
  ['0', false],
  ['no', false],
]);
export const bool = ({ value }: { value: unknown }) =>
  absent(value) ? undefined : typeof value === 'string' ? (BOOLEAN_WORDS.get(value.toLowerCase()) ?? value) : value;
export const BOOLEAN_MESSAGE = { message: '$property must be true, false, 1, 0, yes or no' };
export const int = ({ value }: { value: unknown }) => (absent(value) ? undefined : Number(value));
// A decimal written with a dot (`0.5`); anything else (`50%`, `0,5`) is NaN, for the validator to refuse.
export const decimal = ({ value }: { value: unknown }) =>
  absent(value) ? undefined : typeof value === 'string' && /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
export const duration = ({ value }: { value: unknown }) =>
  absent(value) ? undefined : typeof value === 'string' ? (parseDurationMs(value) ?? Number.NaN) : Number.NaN;
export const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
