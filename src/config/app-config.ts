import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsTimeZone, Matches, Max, Min } from 'class-validator';
import { BOOLEAN_MESSAGE, bool, decimal, duration, int, list } from './setting-transforms';

export const LOCKOUT_MODES = ['escalating', 'temporary', 'manual'] as const;
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];
export type LockoutMode = (typeof LOCKOUT_MODES)[number];
/** The factor kinds MFA_PRIORITY may list (the users module owns what they mean). */
const MFA_KINDS = ['totp', 'otp', 'kba'] as const;
/** Where a login's password is checked (the users module owns what each one does). */
export const CREDENTIAL_SOURCES = ['local', 'http', 'ldap'] as const;
export type CredentialSourceName = (typeof CREDENTIAL_SOURCES)[number];
const HTTP_URL = /^https?:\/\/[^\s?#]+$/;
const KEY_FORMAT = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/;
const TIME_ZONE_MESSAGE = 'CONSOLE_TIMEZONE must be an IANA time zone such as UTC or Europe/Madrid';
const SHARE_MESSAGE = 'OVERLOAD_SIGNIN_SHARE must be a number from 0.01 to 0.99, such as 0.5';

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
  /** The management listener (docs/api.md, "Listeners"): /metrics, /healthz and /readyz only; off without a port. */
  @IsString() MANAGEMENT_HOST = '0.0.0.0';
  @IsOptional() @Transform(int) @IsInt() @Min(0) @Max(65535) MANAGEMENT_PORT?: number;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @Transform(duration) @IsInt({ message: 'SHUTDOWN_TIMEOUT must be a duration such as 10s' }) SHUTDOWN_TIMEOUT = 10_000;
  @Transform(duration) @IsInt({ message: 'SHUTDOWN_DELAY must be a duration such as 5s' }) @Min(0) SHUTDOWN_DELAY = 0;

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file>, sqlite::memory: or postgres://…',
  })
  DATABASE_URL = 'sqlite:data/pxauth.sqlite';
  /**
   * TLS to PostgreSQL: `disable`, `require` (encrypted, the server not verified) or `verify-full` (the
   * server's certificate checked against DATABASE_SSL_CA, or the system's CAs, and its name against the URL's host).
   */
  @IsOptional() @IsIn(DATABASE_SSL_MODES) DATABASE_SSL_MODE?: DatabaseSslMode;
  /** The PEM file of the CA(s) that sign the database server's certificate, for `verify-full`. */
  @IsOptional() @IsString() DATABASE_SSL_CA?: string;

  /** SQLite's `synchronous` in WAL mode: `normal` commits without an fsync each (docs/performance.md). */
  @IsIn(['normal', 'full']) SQLITE_SYNCHRONOUS: 'normal' | 'full' = 'normal';
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
  /** A channel (sms, voice, email) failing this many sends in a row is not called for the cooldown (docs/passcode-delivery.md). */
  @Transform(int) @IsInt() @Min(1) DELIVERY_BREAKER_FAILURES = 5;
  @Transform(duration)
  @IsInt({ message: 'DELIVERY_BREAKER_COOLDOWN must be a duration such as 30s' })
  @Min(1000)
  DELIVERY_BREAKER_COOLDOWN = 30_000;
  @Transform(duration) @IsInt({ message: 'PURGE_INTERVAL must be a duration such as 15m' }) @Min(0) PURGE_INTERVAL =
    15 * 60_000;
  @Transform(duration)
  @IsInt({ message: 'PURGE_RETENTION must be a duration such as 7d' })
  @Min(60_000)
  PURGE_RETENTION = 7 * 86_400_000;

  /** 32 bytes, base64 or hex. Derives the TOTP encryption key and the OTP HMAC key. */
  @IsOptional()
  @Matches(KEY_FORMAT, {
    message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64',
  })
  ENCRYPTION_KEY?: string;
  /** Comma-separated keys as ENCRYPTION_KEY, newest first: the first seals, every one opens (docs/security.md, "Keys that rotate"). */
  @Transform(list)
  @IsOptional()
  @Matches(KEY_FORMAT, {
    each: true,
    message: 'ENCRYPTION_KEYS must list keys of 32 bytes, each 64 hex characters or base64',
  })
  ENCRYPTION_KEYS?: string[];

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
  @IsIn(['outbox', 'live'], { message: 'OTP_DELIVERY must be outbox or live' })
  OTP_DELIVERY: 'outbox' | 'live' = 'outbox';
  @Transform(duration) @IsInt({ message: 'DELIVERY_TIMEOUT must be a duration such as 5s' }) @Min(1) DELIVERY_TIMEOUT =
    5_000;

  @Transform(duration) @IsInt({ message: 'AUTH_TOKEN_TTL must be a duration such as 395d' }) @Min(1000) AUTH_TOKEN_TTL =
    395 * 86_400_000;
  @Transform(duration)
  @IsInt({ message: 'MAINTENANCE_RETRY_AFTER must be a duration such as 15m' })
  @Min(1000)
  MAINTENANCE_RETRY_AFTER = 15 * 60_000;

  // --- the support console ---
  /** A console session ends after this long without a request (docs/api.md#staff-api). */
  @Transform(duration)
  @IsInt({ message: 'CONSOLE_SESSION_TTL must be a duration such as 8h' })
  @Min(1000)
  CONSOLE_SESSION_TTL = 8 * 3_600_000;
  /**
   * A console session ends this long after sign-in however active it stays (OWASP ASVS 5.0 V7.3.2):
   * a stolen cookie kept busy by a script is not good forever.
   */
  @Transform(duration)
  @IsInt({ message: 'CONSOLE_SESSION_MAX_AGE must be a duration such as 12h' })
  @Min(1000)
  CONSOLE_SESSION_MAX_AGE = 12 * 3_600_000;
  /** Console sign-in through the bank's OpenID Connect provider (README, "The support console"); off while unset. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'CONSOLE_OIDC_ISSUER must be an http(s) URL' })
  CONSOLE_OIDC_ISSUER?: string;
  @IsOptional() @IsString() CONSOLE_OIDC_CLIENT_ID?: string;
  /** Unset: a public client, PKCE alone (RFC 7636); set: client_secret_basic at the token endpoint. */
  @IsOptional() @IsString() CONSOLE_OIDC_CLIENT_SECRET?: string;
  @IsOptional()
  @Matches(HTTP_URL, { message: 'CONSOLE_OIDC_REDIRECT_URI must be an http(s) URL' })
  CONSOLE_OIDC_REDIRECT_URI?: string;
  /** The ID token claim (a string or an array of strings) whose values give the console role. */
  @Matches(/^[^\s,]{1,100}$/, { message: 'CONSOLE_OIDC_ROLE_CLAIM must be a claim name' })
  CONSOLE_OIDC_ROLE_CLAIM = 'groups';
  @Transform(list) @IsOptional() @IsString({ each: true }) CONSOLE_OIDC_SUPPORT_VALUES?: string[];
  @Transform(list) @IsOptional() @IsString({ each: true }) CONSOLE_OIDC_ADMIN_VALUES?: string[];
  /** The country a phone number typed into the console's search without its +code is read in (ISO 3166-1 alpha-2). */
  @Matches(/^[A-Z]{2}$/, { message: 'CONSOLE_PHONE_REGION must be a two-letter country code such as US' })
  CONSOLE_PHONE_REGION = 'US';
  /** The IANA time zone every date of the console is shown in, named beside it (docs/console.md, "Dates"). */
  @IsTimeZone({ message: TIME_ZONE_MESSAGE })
  @Matches(/^[A-Za-z][\w+\-/]*$/, { message: TIME_ZONE_MESSAGE })
  CONSOLE_TIMEZONE = 'UTC';
  // --- live OTP delivery (docs/api.md#post-usersuser_idsendotp); which channels these make, live-delivery.ts ---
  /** The bank's name, as the passcode texts say it; required with OTP_DELIVERY=live. */
  @IsOptional()
  @Matches(/^[^<>&\r\n]{1,64}$/, { message: 'INSTITUTION_NAME must be 1 to 64 characters, no <, > or &' })
  INSTITUTION_NAME?: string;
  @Matches(/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/, { message: 'TWILIO_API_URL must be an http(s) origin' })
  TWILIO_API_URL = 'https://api.twilio.com';
  @IsOptional()
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must be AC and 32 hex digits' })
  TWILIO_ACCOUNT_SID?: string;
  @IsOptional() @IsString() TWILIO_AUTH_TOKEN?: string;
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'TWILIO_FROM must be an E.164 number such as +14155550100' })
  TWILIO_FROM?: string;
  @IsOptional()
  @Matches(/^MG[0-9a-fA-F]{32}$/, { message: 'TWILIO_MESSAGING_SERVICE_SID must be MG and 32 hex digits' })
  TWILIO_MESSAGING_SERVICE_SID?: string;
  @IsOptional() @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be smtp://… or smtps://…' }) SMTP_URL?: string;
  @IsOptional()
  @Matches(/^[^\r\n]*@[^\r\n]+$/, { message: 'MAIL_FROM must be an address, or "Name <address>"' })
  MAIL_FROM?: string;
  /** A directory of the bank's own texts (en.json, es.json, passcode-email.html.eta): docs/texts.md. */
  @IsOptional() @IsString() TEXTS_DIR?: string;
  // --- Plaid Exchange OAuth (docs/oauth.md) ---
  @Transform(duration) @IsInt({ message: 'OAUTH_CODE_TTL must be a duration such as 60s' }) @Min(1000) OAUTH_CODE_TTL =
    60_000;
  @Transform(duration)
  @IsInt({ message: 'ACCESS_TOKEN_TTL must be a duration such as 15m' })
  @Min(1000)
  ACCESS_TOKEN_TTL = 15 * 60_000;
  @Transform(duration)
  @IsInt({ message: 'REFRESH_TOKEN_TTL must be a duration such as 395d' })
  @Min(1000)
  REFRESH_TOKEN_TTL = 395 * 86_400_000;
  /** The id_token signing key: a PKCS#8 PEM or a private JWK (EC P-256 for ES256, RSA for RS256). */
  @IsOptional() @IsString() ID_TOKEN_KEY?: string;
  /** Several id_token keys, newest first (docs/security.md, "Keys that rotate"): a JSON array of PEMs or JWKs, a JWK Set, or PEM blocks one after another. */
  @IsOptional() @IsString() ID_TOKEN_KEYS?: string;
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OAUTH_ISSUER must be an http(s) URL' }) OAUTH_ISSUER =
    'http://localhost:3000';
  /** Requests a minute one source address may make to the sign-in pages (authorize and their forms); 0: off. */
  @Transform(int) @IsInt() @Min(0) OAUTH_THROTTLE_PER_ADDRESS = 60;
  /** Requests a minute one source address may make to /oauth2/token (Plaid calls from a few addresses); 0: off. */
  @Transform(int) @IsInt() @Min(0) OAUTH_TOKEN_THROTTLE_PER_ADDRESS = 1200;
  // --- credential sources (docs/credential-sources.md) ---------------------------------------
  @IsIn(CREDENTIAL_SOURCES) CREDENTIAL_SOURCE: CredentialSourceName = 'local';
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'UPSTREAM_VERIFY_URL must be an http(s):// URL' })
  UPSTREAM_VERIFY_URL?: string;
  @IsOptional()
  @Matches(/^\S{32,}$/, { message: 'UPSTREAM_HMAC_KEY must be at least 32 characters without spaces' })
  UPSTREAM_HMAC_KEY?: string;
  @IsOptional() @IsString() UPSTREAM_CLIENT_CERT?: string;
  @IsOptional() @IsString() UPSTREAM_CLIENT_KEY?: string;
  @IsOptional() @IsString() UPSTREAM_CA_FILE?: string;
  // Below the lockout's in-flight horizon (30 s): an attempt still being checked is never settled.
  @Transform(duration)
  @IsInt({ message: 'UPSTREAM_TIMEOUT must be a duration such as 3s' })
  @Min(100)
  @Max(20_000, { message: 'UPSTREAM_TIMEOUT may not exceed 20s' })
  UPSTREAM_TIMEOUT = 3_000;
  @Transform(int) @IsInt() @Min(1) UPSTREAM_BREAKER_FAILURES = 5;
  @Transform(duration)
  @IsInt({ message: 'UPSTREAM_BREAKER_COOLDOWN must be a duration such as 30s' })
  @Min(1000)
  UPSTREAM_BREAKER_COOLDOWN = 30_000;
  @Transform(int) @IsInt() @Min(1) @Max(100) UPSTREAM_POOL_SIZE = 10;
  @IsOptional() @Matches(/^ldaps?:\/\/\S+$/, { message: 'LDAP_URL must be ldap://… or ldaps://…' }) LDAP_URL?: string;
  @Transform(bool) @IsBoolean(BOOLEAN_MESSAGE) LDAP_STARTTLS = false;
  @IsOptional() @IsString() LDAP_CA_FILE?: string;
  @IsOptional() @IsString() LDAP_USER_DN_TEMPLATE?: string;
  @IsOptional() @IsString() LDAP_BIND_DN?: string;
  @IsOptional() @IsString() LDAP_BIND_PASSWORD?: string;
  @IsOptional() @IsString() LDAP_SEARCH_BASE?: string;
  @IsOptional() @IsString() LDAP_SEARCH_FILTER?: string;
  @Matches(/^[A-Za-z][A-Za-z0-9-]*$/, { message: 'LDAP_UNIQUE_ATTRIBUTE must be an attribute name' })
  LDAP_UNIQUE_ATTRIBUTE = 'entryUUID';
  @IsOptional() @Matches(/^[A-Za-z][A-Za-z0-9-]*$/) LDAP_PHONE_ATTRIBUTE?: string;
  @IsOptional() @Matches(/^[A-Za-z][A-Za-z0-9-]*$/) LDAP_EMAIL_ATTRIBUTE?: string;
  @IsOptional()
  @Matches(/^\(.*\)$/, { message: 'LDAP_LOCKED_FILTER must be an LDAP filter in parentheses' })
  LDAP_LOCKED_FILTER?: string;
  // --- overload, throttling and logs (docs/operations.md#shedding-and-throttling) ---
  @Transform(duration)
  @IsInt({ message: 'OVERLOAD_QUEUE_TIMEOUT must be a duration such as 1s' })
  @Min(1)
  OVERLOAD_QUEUE_TIMEOUT = 1_000;
  @Transform(int) @IsInt() @Min(0) @Max(64) OVERLOAD_CONCURRENCY = 0;
  // The share of the checks the public sign-in pages may take while Plaid's legacy logins wait (Plaid
  // gets the rest while sign-ins wait); neither 0 nor 1, so that neither class can starve the other.
  @Transform(decimal)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: SHARE_MESSAGE })
  @Min(0.01, { message: SHARE_MESSAGE })
  @Max(0.99, { message: SHARE_MESSAGE })
  OVERLOAD_SIGNIN_SHARE = 0.5;
  @Transform(int) @IsInt() @Min(0) THROTTLE_PER_CLIENT = 0;
  @Transform(int) @IsInt() @Min(0) THROTTLE_PER_ADDRESS = 0;
  @IsOptional()
  @Matches(/^rediss?:\/\/.+$/, { message: 'REDIS_URL must be redis://… or rediss://…' })
  REDIS_URL?: string;
  @IsOptional() @IsString() TRUST_PROXY?: string;
  @IsIn(['auto', 'json', 'pretty']) LOG_FORMAT = 'auto';
  // Login and introspection answered before Express and Nest (src/edge/); false: every request through them.
  @Transform(bool) @IsBoolean(BOOLEAN_MESSAGE) FAST_PATHS = true;
  // The audit trail is kept this long, then purged by the purge job (docs/api.md#staff-api).
  @Transform(duration)
  @IsInt({ message: 'AUDIT_RETENTION must be a duration such as 400d' })
  @Min(86_400_000, { message: 'AUDIT_RETENTION must be at least 1d' })
  AUDIT_RETENTION = 400 * 86_400_000;

  /** The encryption keys, newest first: ENCRYPTION_KEYS, or ENCRYPTION_KEY as a list of one; empty in the sandbox. */
  get encryptionKeys(): string[] {
    return this.ENCRYPTION_KEYS ?? (this.ENCRYPTION_KEY ? [this.ENCRYPTION_KEY] : []);
  }
  get production(): boolean {
    return this.NODE_ENV === 'production';
  }
  get sandbox(): boolean {
    return this.SANDBOX ?? !this.production;
  }
}
