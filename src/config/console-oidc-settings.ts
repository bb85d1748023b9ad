import type { AppConfig } from './app-config';

/** Where the provider sends the browser back: the one route that finishes a console sign-in. */
export const CONSOLE_OIDC_CALLBACK_PATH = '/console/oidc/callback';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Console sign-in through OpenID Connect takes every setting it needs, or none: the issuer turns it
 * on. In production the issuer is https, except on the loopback (a provider beside pxauth on the same
 * host): its discovery document names the keys every ID token is checked with (OpenID Connect
 * Discovery 1.0, section 4), and in clear anyone on the path could name their own.
 */
export function consoleOidcProblems(c: AppConfig): string[] {
  const p: string[] = [];
  const dependent = {
    CONSOLE_OIDC_CLIENT_ID: c.CONSOLE_OIDC_CLIENT_ID,
    CONSOLE_OIDC_CLIENT_SECRET: c.CONSOLE_OIDC_CLIENT_SECRET,
    CONSOLE_OIDC_REDIRECT_URI: c.CONSOLE_OIDC_REDIRECT_URI,
    CONSOLE_OIDC_SUPPORT_VALUES: c.CONSOLE_OIDC_SUPPORT_VALUES,
    CONSOLE_OIDC_ADMIN_VALUES: c.CONSOLE_OIDC_ADMIN_VALUES,
  };
  if (!c.CONSOLE_OIDC_ISSUER) {
    for (const [name, value] of Object.entries(dependent))
      if (value !== undefined) p.push(`${name}: needs CONSOLE_OIDC_ISSUER (console sign-in through OpenID Connect)`);
    return p;
  }
  if (!c.CONSOLE_OIDC_CLIENT_ID) p.push('CONSOLE_OIDC_CLIENT_ID: required when CONSOLE_OIDC_ISSUER is set');
  if (!c.CONSOLE_OIDC_REDIRECT_URI) p.push('CONSOLE_OIDC_REDIRECT_URI: required when CONSOLE_OIDC_ISSUER is set');
  // A value that is not a URL at all has been refused by its validator already.
  else if (
    URL.canParse(c.CONSOLE_OIDC_REDIRECT_URI) &&
    pathOf(c.CONSOLE_OIDC_REDIRECT_URI) !== CONSOLE_OIDC_CALLBACK_PATH
  )
    p.push(
      `CONSOLE_OIDC_REDIRECT_URI: must end in ${CONSOLE_OIDC_CALLBACK_PATH}, ` +
        `e.g. https://pxauth-admin.bank.example${CONSOLE_OIDC_CALLBACK_PATH}`,
    );
  if (!c.CONSOLE_OIDC_SUPPORT_VALUES?.length && !c.CONSOLE_OIDC_ADMIN_VALUES?.length)
    p.push(
      'CONSOLE_OIDC_SUPPORT_VALUES and CONSOLE_OIDC_ADMIN_VALUES: at least one is required when ' +
        'CONSOLE_OIDC_ISSUER is set (else nobody could sign in through it)',
    );
  const issuer = URL.canParse(c.CONSOLE_OIDC_ISSUER) ? new URL(c.CONSOLE_OIDC_ISSUER) : null;
  if (c.production && issuer && issuer.protocol !== 'https:' && !LOOPBACK.has(issuer.hostname))
    p.push('CONSOLE_OIDC_ISSUER: http:// is refused when NODE_ENV=production (except on the loopback); use https://');
  return p;
}

const pathOf = (url: string): string => new URL(url).pathname;
