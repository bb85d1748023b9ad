import type { Request } from 'express';
import { CONSOLE_ES } from './console-i18n.es';

/**
 * The console's words, in English and Spanish (issue 9). `{name}` placeholders are filled by `t()`.
 * Event texts are keyed `event.<type>.<outcome>`, falling back to `event.<type>`.
 */
export const CONSOLE_EN = {
  'app.title': 'pxauth support console',
  'nav.skip': 'Skip to the content',
  'nav.search': 'Find a customer',
  'nav.signout': 'Sign out',
  'nav.signedin': 'Signed in as {name} ({role})',
  'nav.language': 'Language',
  'nav.locks': 'Locked now',
  'search.as.username': 'Read as a username (its beginning) or a user ID.',
  'search.as.phone': 'Read as a phone number.',
  'search.as.email': 'Read as an email address.',
  'search.as.request_id': 'Read as a request ID: its events, and its customer.',
  'search.events': 'Events of this request',
  'page.label': 'Pages',
  'page.first': 'First page',
  'page.next': 'Next page',
  'locks.title': 'Locked now',
  'locks.none': 'No customer is locked.',
  'locks.who': 'Customer',
  'locks.when': 'Locked',
  'locks.why': 'Why',
  'locks.until': 'Until',
  'locks.forever': 'until unlocked',
  'signin.title': 'Sign in',
  'signin.key': 'Staff key',
  'signin.help': 'Paste the staff key you were given. The browser keeps only a session, never the key.',
  'signin.submit': 'Sign in',
  'signin.bad': 'That key is not valid. Check it and try again.',
  'signin.role': 'This key may not use the console (it is for a data API, not for people).',
  'signin.expired':
    'You were signed out after {ttl} without activity. A session also ends {max} after signing in. Please sign in again.',
  'signin.out': 'You are signed out.',
  'signin.oidc': 'Sign in with your bank account',
  'signin.or': 'Or, with a staff key:',
  'signin.oidc.role':
    'You signed in at the sign-in provider, but your account is in no group that may use the console. Ask an administrator to add you.',
  'signin.oidc.failed':
    'The sign-in could not be completed: it expired, was begun in another browser, or was refused by the provider. Please start again.',
  'signin.oidc.unavailable':
    'The sign-in provider cannot be reached right now. Try again in a moment, or sign in with a staff key.',
  'continue.in': 'Signed in',
  'continue.in.text': 'You are signed in. The console opens now.',
  'continue.out': 'Signed out',
  'continue.out.text': 'You are signed out of the console. Now signing you out at the sign-in provider too.',
  'continue.link': 'Continue',
  'search.title': 'Find a customer',
  'search.label': 'Username or user ID, phone, email or request ID',
  'search.institution': 'Institution (optional)',
  'search.submit': 'Search',
  'search.none': 'No customer matches.',
  'search.results': 'Customers found',
  'col.username': 'Username',
  'col.institution': 'Institution',
  'col.status': 'Status',
  'col.time': 'Time',
  'col.kind': 'What happened',
  'col.source': 'Source address',
  'col.staff': 'Staff',
  'col.client': 'Plaid client',
  'col.issued': 'Issued',
  'col.expires': 'Expires',
  'status.locked': 'Locked',
  'status.active': 'Not locked',
  'create.title': 'Create a customer',
  'create.username': 'Username',
  'create.password': 'Password',
  'create.phone': 'Phone (E.164, such as +14155550123)',
  'create.email': 'Email address',
  'create.totp': 'Enrol an authenticator app',
  'create.submit': 'Create the customer',
  'create.done': 'Customer {username} created.',
  'user.title': 'Customer {username}',
  'user.ids': 'User ID {id} · institution {institution}',
  'user.source.local': 'Password kept by pxauth',
  'user.source.http': 'Password checked by the bank (HTTP), reference {reference}',
  'user.source.ldap': 'Password checked by the directory (LDAP), reference {reference}',
  'lock.title': 'Is the account locked?',
  'lock.no': 'No. This account is not locked.',
  'lock.failing': '{n} failed attempts in a row since the last successful sign-in; the account locks at {threshold}.',
  'lock.yesUntil': 'Yes. This account has been locked since {since}, until {until} (another {left}).',
  'lock.yesForever': 'Yes. This account has been locked since {since}, until a staff member unlocks it.',
  'lock.why': 'Why: {reason}.',
  'lock.reason.failures': 'too many failed attempts in a row',
  'lock.reason.staff': 'a staff member locked it: “{words}”',
  'lock.failures': 'The failures that led to it',
  'lock.failuresNow': 'The failed attempts so far',
  'lock.noFailures': 'No failed attempt is recorded.',
  'terms.title': 'Terms',
  'terms.ok': 'Accepted version {accepted}, the current one. Nothing to do.',
  'terms.pending':
    'Accepted version {accepted}, but the current version is {current}: the customer must accept the current terms before the account can be linked (Plaid sees 405).',
  'factors.title': 'Second factors',
  'factors.phone': 'Phone {mask} (text and voice)',
  'factors.email': 'Email {mask}',
  'factors.totp': 'Authenticator app',
  'factors.kba': 'Security questions ({n})',
  'factors.none': 'No second factor: a right password alone signs in.',
  'factors.preference': 'Preferred: {kind}',
  'tokens.title': 'Active access tokens',
  'tokens.none': 'No active token: Plaid holds no working access for this customer.',
  'tokens.count': 'Active tokens: {n}.',
  'timeline.title': 'Timeline',
  'timeline.none': 'Nothing recorded yet.',
  'timeline.reason': 'Reason: “{reason}”',
  'action.reason': 'Reason (kept in the audit trail)',
  'action.unlock': 'Unlock',
  'action.lock': 'Lock',
  'action.terms': 'Record that the current terms were accepted',
  'action.revoke': 'Revoke all access tokens',
  'action.reset': 'Remove',
  'action.resetWhat': 'Remove {what}',
  'action.reenrol': 'Enrol a new authenticator app',
  'action.password': 'Set a new password',
  'action.newPassword': 'New password',
  'action.confirm': 'Confirm',
  'done.create': 'Customer created.',
  'done.unlock': 'Unlocked. The customer can sign in again.',
  'done.lock': 'Locked.',
  'done.terms': 'Terms recorded as accepted.',
  'done.revoke': 'Access tokens revoked: {n}.',
  'done.reset': 'Removed.',
  'done.password': 'Password changed; access tokens revoked: {n}.',
  'totp.title': 'New authenticator app for {username}',
  'totp.once':
    'Ask the customer to scan this code with their authenticator app now. It is shown this once: leaving this page loses it.',
  'totp.manual': 'Cannot scan? Enter this key by hand',
  'totp.back': 'Done: back to the customer',
  'error.title': 'That did not work',
  'error.request': 'Request ID: {id}',
  'error.back': 'Back',
  'event.login.success': 'Signed in',
  'event.login.challenge_issued': 'Right password; second factor asked ({kind})',
  'event.login.invalid_credentials': 'Wrong password',
  'event.login.terms_not_accepted': 'Right password, but terms to accept',
  'event.login.locked': 'Sign-in refused: the account is locked',
  'event.login.maintenance': 'Sign-in refused: maintenance',
  'event.login.attempts_in_flight': 'Sign-in refused: too many attempts at once',
  'event.login.source_unavailable': 'Sign-in failed: the password could not be checked',
  'event.login': 'Sign-in: {outcome}',
  'event.2fa.success': 'Right second factor; signed in',
  'event.2fa.wrong': 'Wrong second-factor answer ({kind})',
  'event.2fa.totp_replay': 'Authenticator code used twice',
  'event.2fa.locked': 'Second factor refused: the account is locked',
  'event.2fa': 'Second factor: {outcome}',
  'event.otp_send.sent': 'Passcode sent',
  'event.otp_send': 'Passcode: {outcome}',
  'event.lock.locked_temporarily': 'Locked for a while after too many failures (lock {lock_number})',
  'event.lock.locked_until_unlocked': 'Locked until staff unlock it, after too many failures',
  'event.lock.locked_by_staff': 'Locked by staff',
  'event.unlock': 'Unlocked by staff',
  'event.token_issue': 'Access token issued to Plaid',
  'event.token_revoke': 'Access tokens revoked ({count})',
  'event.admin_call': 'Staff call refused: {method} {route}',
  'event.user_create': 'Customer created',
  'event.factors_change.set': 'Second factors set: {fields}',
  'event.factors_change.reset': 'Second factors removed: {fields}',
  'event.password_change': 'Password changed by staff',
  'event.terms': 'Terms version {version} recorded as accepted',
};

export type ConsoleKey = keyof typeof CONSOLE_EN;
export type ConsoleDictionary = Record<ConsoleKey, string>;

export const CONSOLE_LOCALES = ['en', 'es'] as const;
export type ConsoleLocale = (typeof CONSOLE_LOCALES)[number];
const DICTIONARIES: Record<ConsoleLocale, ConsoleDictionary> = { en: CONSOLE_EN, es: CONSOLE_ES };

/** The language cookie (set by the language links), else the browser's Accept-Language, else English. */
export function consoleLocale(req: Request, cookie?: string): ConsoleLocale {
  if (cookie && (CONSOLE_LOCALES as readonly string[]).includes(cookie)) return cookie as ConsoleLocale;
  const match = req.acceptsLanguages(...CONSOLE_LOCALES);
  return typeof match === 'string' && (CONSOLE_LOCALES as readonly string[]).includes(match)
    ? (match as ConsoleLocale)
    : 'en';
}

export type Translate = (key: string, values?: Record<string, unknown>) => string;

export function translator(locale: ConsoleLocale): Translate {
  const dict = DICTIONARIES[locale] as Record<string, string>;
  return (key, values = {}) =>
    (dict[key] ?? (CONSOLE_EN as Record<string, string>)[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) =>
      shown(values[name]),
    );
}

/** A value in a sentence: text and numbers as they are, a list joined, anything else left out. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(shown).join(', ');
  return '';
}

export function hasText(key: string): boolean {
  return key in CONSOLE_EN;
}
