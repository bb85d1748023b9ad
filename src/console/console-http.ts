import type { Request, Response } from 'express';
import type { ConsoleStaff } from './console-session.service';
import type { ConsoleLocale, Translate } from './console-i18n';

/** The session cookie: HttpOnly, SameSite=Strict, only for /console (docs/console.md). */
export const SESSION_COOKIE = 'pxauth_console';
/** The sign-in form's own CSRF cookie, before there is a session. */
export const SIGN_IN_COOKIE = 'pxauth_console_signin';
export const LANG_COOKIE = 'pxauth_console_lang';

/** What the console guard learned about a request. */
export interface ConsoleContext {
  staff: ConsoleStaff;
  token: string;
  csrf: string;
  locale: ConsoleLocale;
  /** CONSOLE_TIMEZONE: the zone every date of the page is shown in. */
  timeZone: string;
  t: Translate;
}

export type ConsoleRequest = Request & { console?: ConsoleContext };

export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    try {
      if (name && !(name in out)) out[name] = decodeURIComponent(value);
    } catch {
      // a cookie that is not ours and not well-formed: ignored
    }
  }
  return out;
}

/**
 * No Max-Age: the browser forgets the cookie when it closes; the server forgets the session when idle.
 * `Lax` only for a cookie the provider's redirect back must carry (a cross-site navigation, RFC 6265bis 5.4.7).
 */
export function setCookie(
  req: Request,
  res: Response,
  name: string,
  value: string,
  maxAgeSeconds?: number,
  sameSite: 'Strict' | 'Lax' = 'Strict',
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/console', 'HttpOnly', `SameSite=${sameSite}`];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  // Behind TLS (or a proxy Express trusts to say so) the cookie is never sent in clear.
  if (req.secure) parts.push('Secure');
  res.append('Set-Cookie', parts.join('; '));
}

export function clearCookie(req: Request, res: Response, name: string): void {
  setCookie(req, res, name, '', 0);
}

/** A browser asking for a page gets pages; an API client (or a test asking for JSON) gets the envelope. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}
