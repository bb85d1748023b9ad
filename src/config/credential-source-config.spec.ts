import { ConfigError, loadConfig } from './load-config';

/** CREDENTIAL_SOURCE is validated at start with every setting each source needs. */
describe('CREDENTIAL_SOURCE settings', () => {
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };
  const KEY = 'k'.repeat(32);

  it('defaults to local, and refuses an unknown source', () => {
    expect(loadConfig({}).CREDENTIAL_SOURCE).toBe('local');
    expect(refused({ CREDENTIAL_SOURCE: 'kerberos' })).toMatch(/CREDENTIAL_SOURCE/);
  });

  it('http needs a URL and a key or a client certificate; cert and key go together; no plain http in production', () => {
    expect(refused({ CREDENTIAL_SOURCE: 'http', UPSTREAM_HMAC_KEY: KEY })).toMatch(/UPSTREAM_VERIFY_URL: required/);
    expect(refused({ CREDENTIAL_SOURCE: 'http', UPSTREAM_VERIFY_URL: 'https://bank/v' })).toMatch(/UPSTREAM_HMAC_KEY/);
    expect(refused({ UPSTREAM_CLIENT_CERT: '/c.pem' })).toMatch(/UPSTREAM_CLIENT_CERT and UPSTREAM_CLIENT_KEY/);
    expect(
      refused({ CREDENTIAL_SOURCE: 'http', UPSTREAM_VERIFY_URL: 'https://b/v', UPSTREAM_HMAC_KEY: 'short' }),
    ).toMatch(/UPSTREAM_HMAC_KEY \(value hidden\)/);
    const prod = { NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64), CREDENTIAL_SOURCE: 'http' };
    expect(refused({ ...prod, UPSTREAM_VERIFY_URL: 'http://bank/v', UPSTREAM_HMAC_KEY: KEY })).toMatch(/plain http/);
    const ok = loadConfig({ CREDENTIAL_SOURCE: 'http', UPSTREAM_VERIFY_URL: 'https://bank/v', UPSTREAM_HMAC_KEY: KEY });
    expect([ok.UPSTREAM_TIMEOUT, ok.UPSTREAM_BREAKER_FAILURES, ok.UPSTREAM_BREAKER_COOLDOWN]).toEqual([3000, 5, 30000]);
  });

  it('ldap needs a URL and a DN template with {username}, or the four search settings', () => {
    expect(refused({ CREDENTIAL_SOURCE: 'ldap' })).toMatch(/LDAP_URL: required/);
    expect(refused({ CREDENTIAL_SOURCE: 'ldap', LDAP_URL: 'ldap://d' })).toMatch(/LDAP_USER_DN_TEMPLATE, or/);
    expect(refused({ CREDENTIAL_SOURCE: 'ldap', LDAP_URL: 'ldap://d', LDAP_USER_DN_TEMPLATE: 'uid=x,dc=b' })).toMatch(
      /must contain \{username\}/,
    );
    const search = { LDAP_BIND_DN: 'cn=s', LDAP_BIND_PASSWORD: 'p', LDAP_SEARCH_BASE: 'dc=b' };
    expect(
      refused({ CREDENTIAL_SOURCE: 'ldap', LDAP_URL: 'ldap://d', ...search, LDAP_SEARCH_FILTER: '(uid=x)' }),
    ).toMatch(/LDAP_SEARCH_FILTER must be a filter/);
    expect(
      loadConfig({ CREDENTIAL_SOURCE: 'ldap', LDAP_URL: 'ldap://d', ...search, LDAP_SEARCH_FILTER: '(uid={username})' })
        .LDAP_UNIQUE_ATTRIBUTE,
    ).toBe('entryUUID');
  });

  it('in production, ldap:// only with StartTLS; StartTLS never with ldaps://', () => {
    const prod = { NODE_ENV: 'production', ENCRYPTION_KEY: 'a'.repeat(64), CREDENTIAL_SOURCE: 'ldap' };
    const dn = { LDAP_USER_DN_TEMPLATE: 'uid={username},dc=b' };
    expect(refused({ ...prod, ...dn, LDAP_URL: 'ldap://d' })).toMatch(/without LDAP_STARTTLS=true is refused/);
    expect(refused({ CREDENTIAL_SOURCE: 'ldap', ...dn, LDAP_URL: 'ldaps://d', LDAP_STARTTLS: 'true' })).toMatch(
      /LDAP_STARTTLS goes with ldap:\/\//,
    );
  });
});
