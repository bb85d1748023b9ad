import { ConfigError, loadConfig } from './app-config';

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
  });

  it('refuses sandbox settings and a missing ENCRYPTION_KEY in production', () => {
    const msg = error({ NODE_ENV: 'production', SANDBOX: 'true' });
    expect(msg).toMatch(/ENCRYPTION_KEY: required/);
    expect(msg).toMatch(/SANDBOX=true is refused/);
    expect(msg).toMatch(/OTP_DELIVERY=outbox is refused/);
    // Live delivery (Twilio, SMTP) is not built yet, so production cannot start until it is.
    const withKey = error({ NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64) });
    expect(withKey).not.toMatch(/ENCRYPTION_KEY|SANDBOX/);
    expect(withKey).toMatch(/OTP_DELIVERY=outbox is refused/);
  });
});
