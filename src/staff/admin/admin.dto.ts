import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
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

/** Checked as it will be hashed, after normalisation (issue 6). */
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
  @RequiredString(1, 500) question: string;
  @RequiredString(1, KBA_ANSWER_MAX) @EnrollableAnswer() answer: string;
}

export class CreateUserDto {
  @RequiredString(1, 256) username: string;
  @RequiredString(1, 1024) password: string;
  @IsOptional() @RequiredString(1, 64) institution_id?: string;
  @IsOptional()
  @Transform(normalizePhone)
  @IsE164Phone('must be an E.164 number such as +14155550123 (a valid number, with its country code)')
  phone?: string;
  @IsOptional() @IsEmail({}, { message: 'must be an email address' }) email?: string;
  @IsOptional() @Transform(toBool) @IsBoolean() totp?: boolean;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => KbaEnrollmentDto)
  kba?: KbaEnrollmentDto[];
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) terms_accepted_version?: number;
  @IsOptional() @IsIn(FACTOR_KINDS) mfa_preference?: FactorKind;
}

/** Absent: unchanged. null, false or []: the factor is removed. A value: set (admins only). */
export class UpdateUserDto {
  @IsOptional()
  @Transform(normalizePhone)
  @IsE164Phone('must be an E.164 number such as +14155550123 (a valid number, with its country code), or null')
  phone?: string | null;
  @IsOptional() @IsEmail({}, { message: 'must be an email address, or null' }) email?: string | null;
  @IsOptional() @Transform(toBool) @IsBoolean() totp?: boolean;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => KbaEnrollmentDto)
  kba?: KbaEnrollmentDto[];
  @IsOptional() @IsIn(FACTOR_KINDS) mfa_preference?: FactorKind | null;
}

export class FindUsersQuery {
  @IsOptional() @RequiredString(1, 256) username?: string;
  @IsOptional() @RequiredString(1, 64) institution_id?: string;
}

export class SetPasswordDto {
  @RequiredString(1, 1024) password: string;
}

export class LockDto {
  @IsOptional() @RequiredString(1, 200) reason?: string;
}

export class TermsDto {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) version?: number;
}

export class OutboxQuery {
  @IsOptional() @RequiredString(1, 254) to?: string;
}

export class MaintenanceDto {
  @Transform(toBool) @IsBoolean() enabled: boolean;
  @IsOptional() @IsDateString({ strict: true }) @ReadableDate() retry_at?: string;
  @IsOptional() @RequiredString(1, 200) message?: string;
}

export class CreateClientDto {
  @RequiredString(1, 200) name: string;
  /** OAuth redirect URIs (PRODUCT.md section 14); Plaid's when absent. */
  @IsOptional()
  @IsArray({ message: 'must be a list of URLs' })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true, message: 'must be a list of URLs' })
  @Length(1, 512, { each: true, message: 'must be URLs of at most 512 characters' })
  redirect_uris?: string[];
}
