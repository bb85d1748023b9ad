import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidateBy } from 'class-validator';

// International form only: a number without its country code cannot be read without guessing, and
// letters are refused although libphonenumber reads vanity numbers (+1 415 CALL ME) as digits.
const INTERNATIONAL = /^\+[\d\s().-]{6,30}$/;

/**
 * A phone number as stored and as Twilio takes it: E.164 (`+14155550199` from `+1 (415) 555-0199`),
 * or null when libphonenumber-js does not know it as a valid number of its country.
 */
export function toE164(input: string): string | null {
  const raw = input.trim();
  if (!INTERNATIONAL.test(raw)) return null;
  const parsed = parsePhoneNumberFromString(raw);
  return parsed?.isValid() ? parsed.number : null;
}

/** class-transformer: a valid number becomes its E.164 form; anything else stays, for `IsE164Phone` to refuse. */
export const normalizePhone = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (toE164(value) ?? value) : value;

/** class-validator: a valid number in E.164 (after `normalizePhone`). */
export function IsE164Phone(message: string): PropertyDecorator {
  return ValidateBy({
    name: 'isE164Phone',
    validator: { validate: (v: unknown) => typeof v === 'string' && toE164(v) === v, defaultMessage: () => message },
  });
}
