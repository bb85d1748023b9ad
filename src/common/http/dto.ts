import { IsString, Length } from 'class-validator';

/** A required single string (a repeated form key arrives as an array and fails here). */
export const RequiredString = (min: number, max: number) => (target: object, key: string) => {
  IsString({ message: `must be a single string` })(target, key);
  Length(min, max, { message: `must be ${min} to ${max} characters` })(target, key);
};
