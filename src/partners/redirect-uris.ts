import { apiText, PxError } from '@/common/errors/px.error';

/** Plaid's redirect URI (reference/plaid-exchange-auth.md): registered for a client unless told otherwise. */
export const PLAID_REDIRECT_URI = 'https://cdn.plaid.com/link/v2/stable/oauth.html';
export const MAX_REDIRECT_URIS = 10;

const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]'];

/**
 * A URI a client may register: absolute, https (or http on a loopback address, for local testing,
 * RFC 8252 section 7.3), without a fragment (RFC 6749 3.1.2). Throws INVALID_REQUEST naming the field.
 */
export function checkRedirectUri(uri: string, field = 'redirect_uris'): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw PxError.invalid(apiText('redirectUri.absolute', { field }));
  }
  if (uri.length > 512) throw PxError.invalid(apiText('redirectUri.length', { field, max: 512 }));
  if (u.hash || uri.includes('#')) throw PxError.invalid(apiText('redirectUri.fragment', { field }));
  if (u.username || u.password) throw PxError.invalid(apiText('redirectUri.credentials', { field }));
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK_HOSTS.includes(u.hostname)))
    throw PxError.invalid(apiText('redirectUri.scheme', { field }));
  return uri;
}

/**
 * Whether `asked` is one of the `registered` URIs: exactly equal (RFC 6749 3.1.2.3), except that a
 * registered http loopback URI matches on any port, as a native or local client's port is ephemeral
 * (RFC 8252 section 7.3).
 */
export function matchesRegistered(asked: string, registered: string[]): boolean {
  if (registered.includes(asked)) return true;
  let a: URL;
  try {
    a = new URL(asked);
  } catch {
    return false;
  }
  if (a.protocol !== 'http:' || !LOOPBACK_HOSTS.includes(a.hostname) || a.hash || a.username) return false;
  return registered.some((r) => {
    const u = new URL(r);
    return (
      u.protocol === 'http:' &&
      u.hostname === a.hostname &&
      u.port === '' &&
      u.pathname === a.pathname &&
      u.search === a.search
    );
  });
}
