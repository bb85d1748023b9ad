import type { AppConfig } from './app-config';

/** Each credential source with every setting it needs, checked at start (docs/credential-sources.md). */
export function credentialSourceProblems(c: AppConfig): string[] {
  const p: string[] = [];
  if (!!c.UPSTREAM_CLIENT_CERT !== !!c.UPSTREAM_CLIENT_KEY)
    p.push('UPSTREAM_CLIENT_CERT and UPSTREAM_CLIENT_KEY go together: set both or neither');
  if (c.CREDENTIAL_SOURCE === 'http') {
    if (!c.UPSTREAM_VERIFY_URL) p.push('UPSTREAM_VERIFY_URL: required when CREDENTIAL_SOURCE=http');
    if (!c.UPSTREAM_HMAC_KEY && !c.UPSTREAM_CLIENT_CERT)
      p.push('CREDENTIAL_SOURCE=http needs UPSTREAM_HMAC_KEY, or UPSTREAM_CLIENT_CERT and UPSTREAM_CLIENT_KEY');
    if (c.production && c.UPSTREAM_VERIFY_URL?.startsWith('http:'))
      p.push('UPSTREAM_VERIFY_URL: passwords are not sent over plain http when NODE_ENV=production; use https://');
  }
  if (c.CREDENTIAL_SOURCE === 'ldap') {
    if (!c.LDAP_URL) p.push('LDAP_URL: required when CREDENTIAL_SOURCE=ldap');
    if (c.LDAP_STARTTLS && c.LDAP_URL?.startsWith('ldaps:')) p.push('LDAP_STARTTLS goes with ldap://, not ldaps://');
    if (c.production && c.LDAP_URL?.startsWith('ldap:') && !c.LDAP_STARTTLS)
      p.push('LDAP_URL: ldap:// without LDAP_STARTTLS=true is refused when NODE_ENV=production');
    const search = [c.LDAP_BIND_DN, c.LDAP_BIND_PASSWORD, c.LDAP_SEARCH_BASE, c.LDAP_SEARCH_FILTER];
    if (c.LDAP_USER_DN_TEMPLATE) {
      if (!c.LDAP_USER_DN_TEMPLATE.includes('{username}'))
        p.push('LDAP_USER_DN_TEMPLATE must contain {username}, e.g. uid={username},ou=people,dc=bank,dc=example');
    } else if (search.some((v) => !v)) {
      p.push(
        'CREDENTIAL_SOURCE=ldap needs LDAP_USER_DN_TEMPLATE, or LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_SEARCH_BASE ' +
          'and LDAP_SEARCH_FILTER',
      );
    }
    if (c.LDAP_SEARCH_FILTER && !/^\(.*\{username\}.*\)$/.test(c.LDAP_SEARCH_FILTER))
      p.push('LDAP_SEARCH_FILTER must be a filter in parentheses containing {username}, e.g. (uid={username})');
  }
  return p;
}
