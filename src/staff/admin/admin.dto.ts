import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
  Matches,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { FACTOR_KINDS, FactorKind } from '@/users/factor-kind';
import { IsE164Phone, normalizePhone } from '@/users/phone';
import { RequiredString } from '@/common/http/dto';
import { KBA_ANSWER_MAX, isEnrollableAnswer } from '@/kba/kba-answer';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Checked as it will be hashed, after normalisation. */
const EnrollableAnswer = () =>
  ValidateBy({
    name: 'enrollableAnswer',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isEnrollableAnswer(v),
      defaultMessage: () => `must be 1 to ${KBA_ANSWER_MAX} characters after normalisation (NFKC, spaces collapsed)`,
    },
  });

/**
 * A date Date can read: class-validator's ISO 8601 also takes week and ordinal dates ("2026-W01-1",
 * "2026-001"), which Date cannot, and `toISOString()` of the result threw: a 500.
 */
const ReadableDate = () =>
  ValidateBy({
    name: 'readableDate',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && Number.isFinite(Date.parse(v)),
      defaultMessage: () => 'must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z',
    },
  });

export class KbaEnrollmentDto {
  @ApiProperty({ minLength: 1, maxLength: 500 }) @RequiredString(1, 500) question: string;
  @ApiProperty({ minLength: 1, maxLength: KBA_ANSWER_MAX, description: 'Compared after NFKC, spaces collapsed.' })
  @RequiredString(1, KBA_ANSWER_MAX)
  @EnrollableAnswer()
  answer: string;
}

export class CreateUserDto {
  @ApiProperty({ minLength: 1, maxLength: 256 }) @RequiredString(1, 256) username: string;
  @ApiProperty({ minLength: 1, maxLength: 1024, format: 'password' }) @RequiredString(1, 1024) password: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 64 }) @IsOptional() @RequiredString(1, 64) institution_id?: string;
  @ApiPropertyOptional({ description: 'E.164, such as +14155550123: an OTP send method (sms and voice).' })
  @IsOptional()
  @Transform(normalizePhone)
  @IsE164Phone('must be an E.164 number such as +14155550123 (a valid number, with its country code)')
  phone?: string;
  @ApiPropertyOptional({ format: 'email', description: 'An OTP send method (email).' })
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  email?: string;
  @ApiPropertyOptional({ description: 'Enrol TOTP: the answer then carries totp_uri and totp_qr, once.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  totp?: boolean;
  @ApiPropertyOptional({ type: [KbaEnrollmentDto], maxItems: 10 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => KbaEnrollmentDto)
  kba?: KbaEnrollmentDto[];
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  terms_accepted_version?: number;
  @ApiPropertyOptional({ enum: FACTOR_KINDS }) @IsOptional() @IsIn(FACTOR_KINDS) mfa_preference?: FactorKind;
}

/**
 * Absent: unchanged. null, false or []: the factor is removed. A value: set (admins only). `username`
 * renames a local user (admins only) and is sent alone.
 */
export class UpdateUserDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description: 'A new username for a local user (admins), checked as at creation; sent alone.',
  })
  @IsOptional()
  @RequiredString(1, 256)
  username?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'E.164; null removes it.' })
  @IsOptional()
  @Transform(normalizePhone)
  @IsE164Phone('must be an E.164 number such as +14155550123 (a valid number, with its country code), or null')
  phone?: string | null;
  @ApiPropertyOptional({ type: String, format: 'email', nullable: true, description: 'null removes it.' })
  @IsOptional()
  @IsEmail({}, { message: 'must be an email address, or null' })
  email?: string | null;
  @ApiPropertyOptional({ description: 'false removes TOTP; true enrols it anew (admins).' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  totp?: boolean;
  @ApiPropertyOptional({ type: [KbaEnrollmentDto], maxItems: 10, description: '[] removes the questions.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => KbaEnrollmentDto)
  kba?: KbaEnrollmentDto[];
  @ApiPropertyOptional({ enum: FACTOR_KINDS, nullable: true })
  @IsOptional()
  @IsIn(FACTOR_KINDS)
  mfa_preference?: FactorKind | null;
}

// A search cursor holds the key of the last row it showed: a username can be 256 characters long.
const SEARCH_CURSOR = /^[A-Za-z0-9_-]{1,1400}$/;

/**
 * `username`: the exact username, as a login compares it. `q`: the console's search box (a username
 * prefix or user_id, a phone, an email or a request id); its answer says which it was read as.
 */
export class FindUsersQuery {
  @ApiPropertyOptional({ minLength: 1, maxLength: 256 }) @IsOptional() @RequiredString(1, 256) username?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 64 }) @IsOptional() @RequiredString(1, 64) institution_id?: string;
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description: 'A username prefix or user_id, a phone number, an email address or a request id.',
  })
  @IsOptional()
  @RequiredString(1, 256)
  q?: string;
  @ApiPropertyOptional({ pattern: SEARCH_CURSOR.source, description: 'The next_cursor of the page before (with q).' })
  @IsOptional()
  @Matches(SEARCH_CURSOR, { message: 'must be a next_cursor as given' })
  cursor?: string;
}

/** `GET /admin/locks`: the page after `cursor`. */
export class LocksQuery {
  @ApiPropertyOptional({ pattern: SEARCH_CURSOR.source, description: 'The next_cursor of the page before.' })
  @IsOptional()
  @Matches(SEARCH_CURSOR, { message: 'must be a next_cursor as given' })
  cursor?: string;
}

export class SetPasswordDto {
  @ApiProperty({ minLength: 1, maxLength: 1024, format: 'password' }) @RequiredString(1, 1024) password: string;
}

export class LockDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 }) @IsOptional() @RequiredString(1, 200) reason?: string;
}

export class TermsDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, description: 'The current when absent.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  version?: number;
}

export class OutboxQuery {
  @ApiPropertyOptional({ minLength: 1, maxLength: 254, description: 'Only messages to this destination.' })
  @IsOptional()
  @RequiredString(1, 254)
  to?: string;
}

export class MaintenanceDto {
  @ApiProperty() @Transform(toBool) @IsBoolean() enabled: boolean;
  @ApiPropertyOptional({ format: 'date-time', description: 'MAINTENANCE_RETRY_AFTER from now when absent.' })
  @IsOptional()
  @IsDateString({ strict: true })
  @ReadableDate()
  retry_at?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 }) @IsOptional() @RequiredString(1, 200) message?: string;
}

export class CreateClientDto {
  @ApiProperty({ minLength: 1, maxLength: 200 }) @RequiredString(1, 200) name: string;
  /** OAuth redirect URIs (docs/oauth.md); Plaid's when absent. */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 512 },
    minItems: 1,
    maxItems: 10,
    description: "OAuth redirect URIs; Plaid's when absent.",
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of URLs' })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true, message: 'must be a list of URLs' })
  @Length(1, 512, { each: true, message: 'must be URLs of at most 512 characters' })
  redirect_uris?: string[];
}
