import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { RequiredString } from '@/common/http/dto';
import { IgnoresUnknownParameters } from '@/common/http/query-parameters';

const blankToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Every console change asks why (docs/console.md): the words go into the audit event. */
export class ReasonForm {
  @RequiredString(3, 200) reason: string;
}

export const RESETTABLE = ['phone', 'email', 'totp', 'kba'] as const;
export type Resettable = (typeof RESETTABLE)[number];

export class ResetFactorForm extends ReasonForm {
  @IsIn(RESETTABLE, { message: 'must be phone, email, totp or kba' }) factor: Resettable;
}

export class PasswordForm extends ReasonForm {
  @RequiredString(1, 1024) password: string;
}

/** A new username, checked by the admin service as at creation. */
export class RenameForm extends ReasonForm {
  @RequiredString(1, 256) username: string;
}

export class SignInForm {
  @RequiredString(1, 256) key: string;
}

/** A page's query: every link may add `?lang=`, so other names are ignored; a declared one is a single string. */
@IgnoresUnknownParameters()
export class SearchQuery {
  @IsOptional() @Transform(blankToUndefined) @RequiredString(1, 256) q?: string;
  @IsOptional() @Transform(blankToUndefined) @RequiredString(1, 64) institution_id?: string;
  /** The next page of results or locks: the `next_cursor` the page before gave. */
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,1400}$/, { message: 'must be a next_cursor as given' }) cursor?: string;
}

/** The customer page: `cursor` pages its timeline (an Older or Newer link's); `done` and `n` say what was just done. */
@IgnoresUnknownParameters()
export class TimelineQuery {
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a cursor as given' }) cursor?: string;
}

/** The sign-in page's notice: signed out for idling (`?expired=1`) or by the button (`?out=1`). */
@IgnoresUnknownParameters()
export class SignInPageQuery {
  @IsOptional() @IsString({ message: 'must be a single string' }) expired?: string;
  @IsOptional() @IsString({ message: 'must be a single string' }) out?: string;
}

/** A checkbox sends "on" when ticked and nothing otherwise; empty fields are absent. */
export class CreateUserForm {
  @RequiredString(1, 256) username: string;
  @RequiredString(1, 1024) password: string;
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 number such as +14155550123' })
  phone?: string;
  @IsOptional() @Transform(blankToUndefined) @IsEmail({}, { message: 'must be an email address' }) email?: string;
  @IsOptional() @IsIn(['on']) totp?: 'on';
}
