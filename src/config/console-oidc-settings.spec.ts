import { ConfigError, loadConfig } from './load-config';

const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e instanceof ConfigError ? e.message : `not a ConfigError: ${String(e)}`;
  }
  return '';
};

const OIDC = {
  CONSOLE_OIDC_ISSUER: 'https://bank.okta.example',
  CONSOLE_OIDC_CLIENT_ID: 'pxauth-console',
  CONSOLE_OIDC_REDIRECT_URI: 'https://pxauth-admin.bank.example/console/oidc/callback',
  CONSOLE_OIDC_SUPPORT_VALUES: 'helpdesk, tier2',
};

describe('console OpenID Connect settings', () => {
  it('are off by default, with the groups claim', () => {
    const c = loadConfig({});
    expect([c.CONSOLE_OIDC_ISSUER, c.CONSOLE_OIDC_ROLE_CLAIM]).toEqual([undefined, 'groups']);
  });

  it('read the value lists as lists', () => {
    const c = loadConfig({ ...OIDC, CONSOLE_OIDC_ADMIN_VALUES: 'pxauth-admins' });
    expect([c.CONSOLE_OIDC_SUPPORT_VALUES, c.CONSOLE_OIDC_ADMIN_VALUES]).toEqual([
      ['helpdesk', 'tier2'],
      ['pxauth-admins'],
    ]);
  });

  it('need the client id and the redirect URI once the issuer is set, each named', () => {
    const msg = error({ CONSOLE_OIDC_ISSUER: OIDC.CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_ADMIN_VALUES: 'a' });
    expect(msg).toMatch(/CONSOLE_OIDC_CLIENT_ID: required when CONSOLE_OIDC_ISSUER is set/);
    expect(msg).toMatch(/CONSOLE_OIDC_REDIRECT_URI: required when CONSOLE_OIDC_ISSUER is set/);
  });

  it('need at least one list of values, else nobody could sign in', () => {
    expect(error({ ...OIDC, CONSOLE_OIDC_SUPPORT_VALUES: '' })).toMatch(
      /CONSOLE_OIDC_SUPPORT_VALUES and CONSOLE_OIDC_ADMIN_VALUES: at least one is required/,
    );
  });

  it('refuse a redirect URI that is not the callback route', () => {
    expect(error({ ...OIDC, CONSOLE_OIDC_REDIRECT_URI: 'https://pxauth-admin.bank.example/callback' })).toMatch(
      /CONSOLE_OIDC_REDIRECT_URI: must end in \/console\/oidc\/callback/,
    );
    expect(error({ ...OIDC, CONSOLE_OIDC_ISSUER: 'bank.okta.example' })).toMatch(/CONSOLE_OIDC_ISSUER must be an http/);
  });

  it('refuse a client setting without the issuer', () => {
    expect(error({ CONSOLE_OIDC_CLIENT_ID: 'x' })).toMatch(/CONSOLE_OIDC_CLIENT_ID: needs CONSOLE_OIDC_ISSUER/);
  });

  it('refuse an http issuer in production, except on the loopback', () => {
    const prod = { NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64), OTP_DELIVERY: 'live' };
    expect(error({ ...prod, ...OIDC, CONSOLE_OIDC_ISSUER: 'http://idp.bank.example' })).toMatch(
      /CONSOLE_OIDC_ISSUER: http:\/\/ is refused when NODE_ENV=production/,
    );
    expect(error({ ...prod, ...OIDC, CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:8080' })).not.toMatch(/CONSOLE_OIDC/);
    expect(error({ ...OIDC, CONSOLE_OIDC_ISSUER: 'http://idp.bank.example' })).toBe('');
  });

  it('never show the client secret in a message', () => {
    const msg = error({ CONSOLE_OIDC_CLIENT_SECRET: 'very-secret-value' });
    expect(msg).toMatch(/CONSOLE_OIDC_CLIENT_SECRET: needs CONSOLE_OIDC_ISSUER/);
    expect(msg).not.toContain('very-secret-value');
  });
});
