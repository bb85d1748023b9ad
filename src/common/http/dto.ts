import { IsString, ValidateBy } from 'class-validator';
import { codePointLength, unstorable } from './text';

/**
 * A required single string (a repeated form key arrives as an array and fails here) that every
 * column it may reach can hold as given: no NUL or lone surrogate, and a length counted
 * as PostgreSQL's varchar(n) counts it, in characters. class-validator's Length counts UTF-16 units
 * less surrogate pairs and variation selectors: 200 "a\uFE0F" passed as 200 characters, were 400
 * to PostgreSQL's varchar(200), and a 500.
 */
export const RequiredString = (min: number, max: number) => (target: object, key: string) => {
  IsString({ message: `must be a single string` })(target, key);
  ValidateBy({
    name: 'storableString',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && !unstorable(v),
      defaultMessage: () => 'must not contain NUL or unpaired surrogate characters',
    },
  })(target, key);
  ValidateBy({
    name: 'characterLength',
    constraints: [min, max],
    validator: {
      validate: (v: unknown) => typeof v === 'string' && codePointLength(v) >= min && codePointLength(v) <= max,
      defaultMessage: () => `must be ${min} to ${max} characters`,
    },
  })(target, key);
};
