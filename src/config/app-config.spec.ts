import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactSettings, settingNames } from './load-config';
import { isSecretSetting, redactSecrets, redactUrls } from './redact';

const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e instanceof ConfigError ? e.message : `not a ConfigError: ${String(e)}`;
  }
  return '';
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      ADMIN_PORT: 3001,
      ADMIN_HOST: '127.0.0.1',
      DATABASE_URL: 'sqlite:data/pxauth.sqlite',
      LOCKOUT_THRESHOLD: 5,
      LOCKOUT_MODE: 'escalating',
      LOCKOUT_DURATION: 15 * 60_000,
      LOCKOUT_MAX_TEMPORARY: 3,
      LOCKOUT_MAX_DURATION: 86_400_000,
      MFA_PRIORITY: ['totp', 'otp', 'kba'],
      KBA_QUESTIONS_ASKED: 2,
      CHALLENGE_TTL: 600_000,
      OTP_LENGTH: 6,
      OTP_TTL: 300_000,
      OTP_MAX_SENDS: 3,
      OTP_RESEND_INTERVAL: 30_000,
      MFA_MAX_ATTEMPTS: 5,
      AUTH_TOKEN_TTL: 395 * 86_400_000,
      SUPPORTED_PLAID_VERSIONS: ['2021-03-26'],
      DEFAULT_INSTITUTION_ID: 'default',
      CONSOLE_SESSION_TTL: 8 * 3_600_000,
      CONSOLE_SESSION_MAX_AGE: 12 * 3_600_000,
      OAUTH_THROTTLE_PER_ADDRESS: 60,
      OAUTH_TOKEN_THROTTLE_PER_ADDRESS: 1200,
    });
    expect(c.sandbox).toBe(true);
  });

  it('parses durations and lists', () => {
    const c = loadConfig({
      LOCKOUT_DURATION: '90s',
      OTP_TTL: '2500ms',
      AUTH_TOKEN_TTL: '30d',
      MFA_PRIORITY: 'kba, otp',
    });
    expect([c.LOCKOUT_DURATION, c.OTP_TTL, c.AUTH_TOKEN_TTL, c.MFA_PRIORITY]).toEqual([
      90_000,
      2500,
      30 * 86_400_000,
      ['kba', 'otp'],
    ]);
  });

  it('names each bad variable', () => {
    expect(error({ LOCKOUT_THRESHOLD: '101' })).toMatch(/LOCKOUT_THRESHOLD.*NIST/);
    expect(error({ LOCKOUT_MODE: 'sometimes' })).toMatch(/LOCKOUT_MODE/);
    expect(error({ PORT: 'abc' })).toMatch(/PORT/);
    expect(error({ OTP_TTL: 'five minutes' })).toMatch(/OTP_TTL/);
    expect(error({ MFA_PRIORITY: 'totp,sms' })).toMatch(/MFA_PRIORITY/);
    expect(error({ DATABASE_URL: 'mysql://x' })).toMatch(/DATABASE_URL/);
    expect(error({ ENCRYPTION_KEY: 'short' })).toMatch(/ENCRYPTION_KEY/);
    expect(error({ CONSOLE_SESSION_MAX_AGE: 'a day' })).toMatch(/CONSOLE_SESSION_MAX_AGE must be a duration/);
    expect(error({ CONSOLE_SESSION_MAX_AGE: '0' })).toMatch(/CONSOLE_SESSION_MAX_AGE/);
    expect(error({ OAUTH_THROTTLE_PER_ADDRESS: '-1' })).toMatch(/OAUTH_THROTTLE_PER_ADDRESS/);
    expect(error({ OAUTH_TOKEN_THROTTLE_PER_ADDRESS: 'lots' })).toMatch(/OAUTH_TOKEN_THROTTLE_PER_ADDRESS/);
  });

  it('reads OVERLOAD_SIGNIN_SHARE as a decimal strictly between 0 and 1, 0.5 by default', () => {
    expect(loadConfig({}).OVERLOAD_SIGNIN_SHARE).toBe(0.5);
    expect(loadConfig({ OVERLOAD_SIGNIN_SHARE: '0.2' }).OVERLOAD_SIGNIN_SHARE).toBe(0.2);
    expect(loadConfig({ OVERLOAD_SIGNIN_SHARE: '.75' }).OVERLOAD_SIGNIN_SHARE).toBe(0.75);
    for (const bad of ['0', '1', '1.5', '-0.2', '50%', '0,5', 'half', 'NaN', 'Infinity'])
      expect([bad, error({ OVERLOAD_SIGNIN_SHARE: bad })]).toEqual([
        bad,
        expect.stringMatching(/OVERLOAD_SIGNIN_SHARE must be a number from 0\.01 to 0\.99/),
      ]);
  });

  it('refuses sandbox settings and a missing ENCRYPTION_KEY in production', () => {
    const msg = error({ NODE_ENV: 'production', SANDBOX: 'true' });
    expect(msg).toMatch(/ENCRYPTION_KEY: required/);
    expect(msg).toMatch(/SANDBOX=true is refused/);
    expect(msg).toMatch(/OTP_DELIVERY=outbox is refused/);
    // Production delivers passcodes for real: OTP_DELIVERY=live (live-delivery.spec.ts).
    const withKey = error({ NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64) });
    expect(withKey).not.toMatch(/ENCRYPTION_KEY|SANDBOX/);
    expect(withKey).toMatch(/OTP_DELIVERY=outbox is refused/);
  });

  it('takes ENCRYPTION_KEYS newest first, or ENCRYPTION_KEY as a list of one, never both, never shown', () => {
    const [a, b] = ['a1'.repeat(32), 'b2'.repeat(32)];
    expect(loadConfig({ ENCRYPTION_KEYS: `${b}, ${a}` }).encryptionKeys).toEqual([b, a]);
    expect(loadConfig({ ENCRYPTION_KEY: a }).encryptionKeys).toEqual([a]);
    expect(loadConfig({}).encryptionKeys).toEqual([]);
    const both = error({ ENCRYPTION_KEY: a, ENCRYPTION_KEYS: b });
    expect(both).toContain('ENCRYPTION_KEY and ENCRYPTION_KEYS: both are set');
    expect(both).not.toMatch(/a1a1|b2b2/);
    const bad = error({ ENCRYPTION_KEYS: `${b},short-${a.slice(0, 20)}` });
    expect(bad).toMatch(/ENCRYPTION_KEYS \(value hidden\): ENCRYPTION_KEYS must list keys of 32 bytes/);
    expect(bad).not.toMatch(/a1a1|b2b2/);
    expect(error({ ENCRYPTION_KEYS: `${a},${a.toUpperCase()}` })).toContain('ENCRYPTION_KEYS: a key is listed twice');
    expect(error({ ENCRYPTION_KEYS: ' , ' })).toContain('ENCRYPTION_KEYS: lists no key');
    // Production is satisfied by either form.
    expect(error({ NODE_ENV: 'production', ENCRYPTION_KEYS: `${b},${a}` })).not.toMatch(/ENCRYPTION_KEY/);
    expect(error({ NODE_ENV: 'production' })).toMatch(/ENCRYPTION_KEY: required/);
    expect(error({ ID_TOKEN_KEY: 'x', ID_TOKEN_KEYS: 'y' })).toContain('ID_TOKEN_KEY and ID_TOKEN_KEYS: both are set');
  });

  it('reads booleans as exactly true, false, 1, 0, yes or no, in any case', () => {
    for (const [raw, value] of [
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['Yes', true],
      ['false', false],
      ['False', false],
      ['0', false],
      ['NO', false],
    ] as const) {
      const c = loadConfig({ SANDBOX: raw, USERNAME_CASE_SENSITIVE: raw, KBA_ENABLED: raw });
      expect([raw, c.SANDBOX, c.USERNAME_CASE_SENSITIVE, c.KBA_ENABLED]).toEqual([raw, value, value, value]);
    }
    // Absent or empty: the default.
    const d = loadConfig({ SANDBOX: '', KBA_ENABLED: '' });
    expect([d.SANDBOX, d.sandbox, d.USERNAME_CASE_SENSITIVE, d.KBA_ENABLED]).toEqual([undefined, true, false, true]);
  });

  it('refuses any other boolean word, naming the variable, instead of reading it as false', () => {
    for (const name of ['SANDBOX', 'USERNAME_CASE_SENSITIVE', 'KBA_ENABLED'])
      for (const raw of ['ture', 'flase', 'on', 'off', 'y', 'n', '2', ' true', 'true ', 'constructor'])
        expect([name, raw, error({ [name]: raw })]).toEqual([
          name,
          raw,
          `Invalid configuration:\n  - ${name}=${JSON.stringify(raw)}: ${name} must be true, false, 1, 0, yes or no`,
        ]);
  });

  it('never shows the value of a secret setting, only its name', () => {
    const key = 'not-a-key-s3cret-value';
    const msg = error({ ENCRYPTION_KEY: key, LOCKOUT_MODE: 'sometimes' });
    expect(msg).toMatch(/ENCRYPTION_KEY \(value hidden\): ENCRYPTION_KEY must be 32 bytes/);
    expect(msg).toMatch(/LOCKOUT_MODE="sometimes"/);
    expect(msg).not.toContain(key);
    // A good key beside a bad setting is not quoted either.
    const good = 'ab'.repeat(32);
    expect(error({ ENCRYPTION_KEY: good, PORT: 'x' })).toMatch(/PORT/);
    expect(error({ ENCRYPTION_KEY: good, PORT: 'x' })).not.toContain(good);
  });

  describe('NAME_FILE: a setting read from a file (Docker and Kubernetes secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-file-settings-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    it("reads the value from the file, dropping one trailing newline, and keeps a PEM key's newlines", () => {
      const key = 'cd'.repeat(32);
      const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----';
      const c = loadConfig({
        ENCRYPTION_KEY_FILE: file('enc', `${key}\n`),
        ID_TOKEN_KEY_FILE: file('pem', `${pem}\n`),
        PORT_FILE: file('port', '8123'),
      });
      expect(c.ENCRYPTION_KEY).toBe(key);
      expect(c.ID_TOKEN_KEY).toBe(pem);
      expect(c.PORT).toBe(8123);
    });

    it('refuses a setting given both ways, and a file that cannot be read, naming the variables only', () => {
      const secret = 'ef'.repeat(32);
      const both = error({ ENCRYPTION_KEY: secret, ENCRYPTION_KEY_FILE: file('both', secret) });
      expect(both).toContain('ENCRYPTION_KEY and ENCRYPTION_KEY_FILE: both are set');
      expect(both).not.toContain(secret);
      const missing = error({ UPSTREAM_HMAC_KEY_FILE: join(dir, 'nope') });
      expect(missing).toMatch(/UPSTREAM_HMAC_KEY_FILE: cannot read ".*nope" \(ENOENT\)/);
    });

    it('validates what the file holds like any value, without showing a secret one', () => {
      const bad = 'short-key-from-a-file';
      const msg = error({ ENCRYPTION_KEY_FILE: file('bad', bad) });
      expect(msg).toMatch(/ENCRYPTION_KEY \(value hidden\): ENCRYPTION_KEY must be 32 bytes/);
      expect(msg).not.toContain(bad);
    });
  });

  it('takes DATABASE_SSL_MODE and DATABASE_SSL_CA for PostgreSQL, one way, the CA with verify-full', () => {
    const pg = 'postgres://app@db.internal:5432/px';
    expect(
      loadConfig({ DATABASE_URL: pg, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: '/ca.pem' }),
    ).toMatchObject({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: '/ca.pem' });
    expect(error({ DATABASE_URL: pg, DATABASE_SSL_MODE: 'prefer' })).toMatch(/DATABASE_SSL_MODE="prefer"/);
    expect(error({ DATABASE_SSL_MODE: 'require' })).toContain('for PostgreSQL only');
    expect(error({ DATABASE_URL: `${pg}?sslmode=require`, DATABASE_SSL_MODE: 'require' })).toContain(
      'give TLS one way',
    );
    expect(error({ DATABASE_URL: pg, DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA: '/ca.pem' })).toContain(
      'DATABASE_SSL_CA: needs DATABASE_SSL_MODE=verify-full',
    );
  });

  it('shows a bad DATABASE_URL without its password', () => {
    const msg = error({ DATABASE_URL: 'mysql://app:s3cretpw@db.example:3306/px' });
    expect(msg).toContain('DATABASE_URL="mysql://app:***@db.example:3306/px": DATABASE_URL must be');
    expect(msg).not.toContain('s3cretpw');
  });
});

describe('settingNames', () => {
  it('lists every property of AppConfig, the optional ones without a default included', () => {
    const names = settingNames();
    expect(names).toEqual(expect.arrayContaining(['NODE_ENV', 'SANDBOX', 'ENCRYPTION_KEY', 'DATABASE_URL', 'PORT']));
    expect(names).not.toContain('production');
    expect(names).not.toContain('sandbox');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('redaction', () => {
  it('knows a secret setting by its name', () => {
    for (const n of [
      'ENCRYPTION_KEY',
      'TWILIO_AUTH_TOKEN',
      'UPSTREAM_HMAC_KEY',
      'LDAP_BIND_PASSWORD',
      'SMTP_URL',
      'X_SECRET',
    ])
      expect([n, isSecretSetting(n)]).toEqual([n, true]);
    for (const n of ['DATABASE_URL', 'AUTH_TOKEN_TTL', 'KBA_ENABLED', 'KEY', 'PASSWORD_POLICY'])
      expect([n, isSecretSetting(n)]).toEqual([n, false]);
  });

  it('masks the password of a URL, and credential query parameters', () => {
    expect(redactUrls('postgres://user:PASSWORD@host/db')).toBe('postgres://user:***@host/db');
    expect(redactUrls('postgresql://u:p%40ss@h:5432/d?sslmode=require')).toBe(
      'postgresql://u:***@h:5432/d?sslmode=require',
    );
    // An unencoded @ or / in the password: masked up to the host, nothing of it left.
    expect(redactUrls('postgres://u:pa@s/s@h/d')).toBe('postgres://u:***@h/d');
    expect(redactUrls('postgres://h/d?user=u&password=hunter22&sslmode=disable')).toBe(
      'postgres://h/d?user=u&password=***&sslmode=disable',
    );
    // In running text, and several times.
    expect(redactUrls('connect to "postgres://a:one@h/d" failed; retry postgres://b:two@h/d')).toBe(
      'connect to "postgres://a:***@h/d" failed; retry postgres://b:***@h/d',
    );
    // Nothing to mask: unchanged.
    for (const t of ['postgres://user@host/db', 'sqlite:data/pxauth.sqlite', 'postgres://host:5432/db', 'a: b@c'])
      expect(redactUrls(t)).toBe(t);
  });

  it('masks secret values and URL passwords wherever they are quoted', () => {
    const env = {
      DATABASE_URL: 'postgres://u:s3cret%2Fpw@h/d',
      ENCRYPTION_KEY: 'k'.repeat(64),
      LOG_LEVEL: 'info',
    };
    const text = `password s3cret/pw rejected; password s3cret%2Fpw; key ${'k'.repeat(64)}; level info`;
    expect(redactSecrets(text, env)).toBe('password *** rejected; password ***; key ***; level info');
  });

  it('masks only the settings of pxauth, not every variable of the environment', () => {
    const env = { ENCRYPTION_KEY: 'e'.repeat(64), CI_JOB_TOKEN: 'true', DATABASE_URL: 'postgres://u:pw-4-db@h/d' };
    expect(redactSettings(`is true: ${'e'.repeat(64)} pw-4-db`, env)).toBe('is true: *** ***');
  });
});
