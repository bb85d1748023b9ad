import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  getMetadataStorage,
  validateSync,
} from 'class-validator';
import { parseDurationMs } from './duration';
import { isSecretSetting, redactSecrets, redactUrls } from './redact';

export const LOCKOUT_MODES = ['escalating', 'temporary', 'manual'] as const;
export type LockoutMode = (typeof LOCKOUT_MODES)[number];
/** The factor kinds MFA_PRIORITY may list (the users module owns what they mean). */
const MFA_KINDS = ['totp', 'otp', 'kba'] as const;

// Settings come from the environment, so every raw value is a string (or absent). A value the
// transform cannot read is passed on unchanged, for the validator to refuse with the variable's name.
const absent = (value: unknown) => value === undefined || value === '';
// Exactly these words and no others (issue 6): `SANDBOX=ture` must stop the start, not read as false.
const BOOLEAN_WORDS = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['false', false],
  ['0', false],
  ['no', false],
]);
const bool = ({ value }: { value: unknown }) =>
  absent(value) ? undefined : typeof value === 'string' ? (BOOLEAN_WORDS.get(value.toLowerCase()) ?? value) : value;
const BOOLEAN_MESSAGE = { message: '$property must be true, false, 1, 0, yes or no' };
const int = ({ value }: { value: unknown }) => (absent(value) ? undefined : Number(value));
const duration = ({ value }: { value: unknown }) =>
  absent(value) ? undefined : typeof value === 'string' ? (parseDurationMs(value) ?? Number.NaN) : Number.NaN;
const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * Every setting of pxauth, read from the environment once at start and validated
 * (STYLE.md habit 1). `.env.example` documents each; durations are stored in milliseconds.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test']) NODE_ENV: string = 'development';
  @Transform(bool) @IsOptional() @IsBoolean(BOOLEAN_MESSAGE) SANDBOX?: boolean;

  @IsString() HOST = '0.0.0.0';
  @Transform(int) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() ADMIN_HOST = '127.0.0.1';
  @Transform(int) @IsInt() @Min(0) @Max(65535) ADMIN_PORT = 3001;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @Transform(duration) @IsInt({ message: 'SHUTDOWN_TIMEOUT must be a duration such as 10s' }) SHUTDOWN_TIMEOUT = 10_000;
  @Transform(duration) @IsInt({ message: 'SHUTDOWN_DELAY must be a duration such as 5s' }) @Min(0) SHUTDOWN_DELAY = 0;

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file>, sqlite::memory: or postgres://…',
  })
  DATABASE_URL = 'sqlite:data/pxauth.sqlite';

  @Transform(int) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  @Transform(duration)
  @IsInt({ message: 'DB_STATEMENT_TIMEOUT must be a duration such as 5s' })
  @Min(100)
  DB_STATEMENT_TIMEOUT = 5_000;
  @Transform(duration)
  @IsInt({ message: 'DB_CONNECT_TIMEOUT must be a duration such as 3s' })
  @Min(100)
  DB_CONNECT_TIMEOUT = 3_000;
  @Transform(duration) @IsInt({ message: 'DB_RETRY_AFTER must be a duration such as 5s' }) @Min(1000) DB_RETRY_AFTER =
    5_000;
  @Transform(duration) @IsInt({ message: 'PURGE_INTERVAL must be a duration such as 15m' }) @Min(0) PURGE_INTERVAL =
    15 * 60_000;
  @Transform(duration)
  @IsInt({ message: 'PURGE_RETENTION must be a duration such as 7d' })
  @Min(60_000)
  PURGE_RETENTION = 7 * 86_400_000;

  /** 32 bytes, base64 or hex. Derives the TOTP encryption key and the OTP HMAC key. */
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, {
    message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
  })
  ENCRYPTION_KEY?: string;

  @Transform(list) @IsString({ each: true }) SUPPORTED_PLAID_VERSIONS: string[] = ['2021-03-26'];
  @IsString() @Matches(/^.{1,64}$/) DEFAULT_INSTITUTION_ID = 'default';
  @Transform(bool) @IsBoolean(BOOLEAN_MESSAGE) USERNAME_CASE_SENSITIVE = false;

  @Transform(int)
  @IsInt()
  @Min(1)
  @Max(100, { message: 'LOCKOUT_THRESHOLD may not exceed 100 (NIST SP 800-63B 5.2.2)' })
  LOCKOUT_THRESHOLD = 5;
  @IsIn(LOCKOUT_MODES) LOCKOUT_MODE: LockoutMode = 'escalating';
  @Transform(duration) @IsInt({ message: 'LOCKOUT_DURATION must be a duration such as 15m' }) @Min(1) LOCKOUT_DURATION =
    15 * 60_000;
  @Transform(int) @IsInt() @Min(0) LOCKOUT_MAX_TEMPORARY = 3;
  @Transform(duration)
  @IsInt({ message: 'LOCKOUT_MAX_DURATION must be a duration such as 24h' })
  @Min(1)
  LOCKOUT_MAX_DURATION = 24 * 3_600_000;

  @Transform(int) @IsInt() @Min(0) TERMS_VERSION = 1;
  @IsString()
  @Matches(/^[^:]{1,64}$/, { message: 'TOTP_ISSUER must be 1 to 64 characters without a colon' })
  TOTP_ISSUER = 'pxauth';
  @Transform(list)
  @IsIn(MFA_KINDS, { each: true, message: 'MFA_PRIORITY must list totp, otp and kba' })
  MFA_PRIORITY: (typeof MFA_KINDS)[number][] = ['totp', 'otp', 'kba'];
  @Transform(bool) @IsBoolean(BOOLEAN_MESSAGE) KBA_ENABLED = true;
  @Transform(int) @IsInt() @Min(1) @Max(10) KBA_QUESTIONS_ASKED = 2;
  @Transform(duration) @IsInt({ message: 'CHALLENGE_TTL must be a duration such as 10m' }) @Min(1000) CHALLENGE_TTL =
    10 * 60_000;
  @Transform(int) @IsInt() @Min(1) @Max(20) MFA_MAX_ATTEMPTS = 5;

  @Transform(int) @IsInt() @Min(4) @Max(10) OTP_LENGTH = 6;
  @Transform(duration) @IsInt({ message: 'OTP_TTL must be a duration such as 5m' }) @Min(1000) OTP_TTL = 5 * 60_000;
  @Transform(int) @IsInt() @Min(1) @Max(20) OTP_MAX_SENDS = 3;
  @Transform(duration)
  @IsInt({ message: 'OTP_RESEND_INTERVAL must be a duration such as 30s' })
  @Min(0)
  OTP_RESEND_INTERVAL = 30_000;
  @IsIn(['outbox'], { message: 'OTP_DELIVERY must be outbox (live Twilio/SMTP delivery is not built yet)' })
  OTP_DELIVERY = 'outbox';
  @Transform(duration) @IsInt({ message: 'DELIVERY_TIMEOUT must be a duration such as 5s' }) @Min(1) DELIVERY_TIMEOUT =
    5_000;

  @Transform(duration) @IsInt({ message: 'AUTH_TOKEN_TTL must be a duration such as 395d' }) @Min(1000) AUTH_TOKEN_TTL =
    395 * 86_400_000;
  @Transform(duration)
  @IsInt({ message: 'MAINTENANCE_RETRY_AFTER must be a duration such as 15m' })
  @Min(1000)
  MAINTENANCE_RETRY_AFTER = 15 * 60_000;

  // Issue 9: the audit trail is kept this long, then purged by the purge job (PRODUCT.md section 9).
  @Transform(duration)
  @IsInt({ message: 'AUDIT_RETENTION must be a duration such as 400d' })
  @Min(86_400_000, { message: 'AUDIT_RETENTION must be at least 1d' })
  AUDIT_RETENTION = 400 * 86_400_000;

  get production(): boolean {
    return this.NODE_ENV === 'production';
  }
  get sandbox(): boolean {
    return this.SANDBOX ?? !this.production;
  }
}

export class ConfigError extends Error {}

/**
 * The name of every setting: the properties of AppConfig, those with a default and the optional
 * ones (known by their validators). `.env.example` must list exactly these (env-example.spec.ts).
 */
export function settingNames(): string[] {
  const validated = getMetadataStorage()
    .getTargetValidationMetadatas(AppConfig, '', true, false)
    .map((m) => m.propertyName);
  return [...new Set([...Object.keys(new AppConfig()), ...validated])];
}

/** `text` with the secrets among the settings of `env` masked (see redact.ts): for start-up errors. */
export function redactSettings(text: string, env: Record<string, string | undefined>): string {
  const names = new Set(settingNames());
  return redactSecrets(text, Object.fromEntries(Object.entries(env).filter(([k]) => names.has(k))));
}

/** A bad value as a message may show it: never a secret's, and a URL without its password. */
function shown(name: string, value: string | undefined): string {
  if (isSecretSetting(name)) return `${name} (value hidden)`;
  return `${name}=${JSON.stringify(redactUrls(value ?? ''))}`;
}

/** Builds and validates the config; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const known = new Set(settingNames());
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && known.has(k)));
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const problems = validateSync(config, { skipMissingProperties: false }).map(
    (e) => `${shown(e.property, env[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  if (config.production) {
    if (!config.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY: required when NODE_ENV=production');
    if (config.SANDBOX) problems.push('SANDBOX=true is refused when NODE_ENV=production');
    if (config.OTP_DELIVERY === 'outbox') problems.push('OTP_DELIVERY=outbox is refused when NODE_ENV=production');
  }
  if (new Set(config.MFA_PRIORITY).size !== config.MFA_PRIORITY.length)
    problems.push('MFA_PRIORITY: a factor is listed twice');
  // Redacted once more as a whole: a validator's message could quote a value in some later rule.
  if (problems.length)
    throw new ConfigError(redactSettings(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, env));
  return config;
}
