import type { AuditEvent } from '@/audit/audit-event.entity';
import { EventType } from '@/events/domain-event';
import type { UserView } from '@/staff/admin/user-view';
import type { ActiveToken } from '@/tokens/tokens.service';
import { formatDuration, formatTime } from './console-format';
import { ConsoleLocale, Translate, hasText } from './console-i18n';
import { timelineWords } from './timeline-words';

/** One line of the timeline, or of the failures behind a lock, as the page shows it. */
export interface TimelineEntry {
  at: string;
  time: string;
  text: string;
  /** Why, in the provider's or the bank system's terms, with the provider's code where it gave one. */
  why: string | null;
  /** What support can do about it. */
  next: string | null;
  /** The way the customer came (Plaid's legacy API or OAuth) and the Plaid client, where the event knows them. */
  path: string | null;
  client: string | null;
  /** The client's name as registered, when the client still exists. */
  clientName?: string;
  source: string;
  staff: string;
  reason: string | null;
}

export interface CustomerPage {
  user: UserView;
  locked: boolean;
  /** Plain sentences: is it locked, since when, until when, why. */
  lockStory: string[];
  failuresTitle: string;
  failures: TimelineEntry[];
  termsText: string;
  tokens: (ActiveToken & { issued: string; expires: string })[];
  timeline: TimelineEntry[];
}

const isFailure = (e: AuditEvent) =>
  (e.type === 'login' && e.outcome === 'invalid_credentials') ||
  (e.type === '2fa' && (e.outcome === 'wrong' || e.outcome === 'totp_replay'));
/** What starts the count of failures again: a completed sign-in, or a staff unlock. */
const isFresh = (e: AuditEvent) =>
  ((e.type === 'login' || e.type === '2fa') && e.outcome === 'success') || e.type === 'unlock';

/**
 * The customer page's facts in words: read from the user as the admin API shows it and
 * from their audit events, newest first. The failures shown are those since the last fresh start
 * (completed sign-in or unlock) up to the lock, or up to now when the account is not locked.
 */
export function customerPage(
  user: UserView,
  events: AuditEvent[],
  staffNames: Map<string, string>,
  tokens: ActiveToken[],
  threshold: number,
  t: Translate,
  locale: ConsoleLocale,
  timeZone = 'UTC',
  /** The page of the timeline shown, newest first (docs/console.md, "The timeline"); else `events`. */
  timeline: AuditEvent[] = events,
): CustomerPage {
  const time = (at: number | string) => formatTime(at, locale, timeZone);
  const entry = (e: AuditEvent): TimelineEntry => describe(e, staffNames, t, time);
  const lock = user.lock;
  const lockStory: string[] = [];
  let failures: AuditEvent[];
  if (lock.locked) {
    const since = lock.since ? time(lock.since) : '?';
    lockStory.push(
      lock.permanent || !lock.until
        ? t('lock.yesForever', { since })
        : t('lock.yesUntil', {
            since,
            until: time(lock.until),
            left: formatDuration(Date.parse(lock.until) - Date.now(), locale),
          }),
    );
    const why =
      lock.reason === 'too many failed attempts' || lock.reason === null
        ? t('lock.reason.failures')
        : t('lock.reason.staff', { words: lock.reason });
    lockStory.push(t('lock.why', { reason: why }));
    // The failure that tipped the lock is recorded just after it, in the same request.
    const lockAt = events.findIndex((e) => e.type === 'lock');
    const tipping = lockAt < 0 ? [] : events.slice(0, lockAt).filter((e) => e.requestId === events[lockAt].requestId);
    failures =
      lockAt < 0 ? [] : [...tipping, ...takeUntil(events.slice(lockAt + 1), (e) => isFresh(e) || e.type === 'lock')];
  } else {
    lockStory.push(t('lock.no'));
    if (lock.consecutive_failures > 0) lockStory.push(t('lock.failing', { n: lock.consecutive_failures, threshold }));
    failures = takeUntil(events, (e) => isFresh(e) || e.type === 'lock');
  }
  const terms = user.terms;
  return {
    user,
    locked: lock.locked,
    lockStory,
    failuresTitle: t(lock.locked ? 'lock.failures' : 'lock.failuresNow'),
    failures: failures.filter(isFailure).map(entry),
    termsText: t(terms.pending ? 'terms.pending' : 'terms.ok', {
      accepted: terms.accepted_version,
      current: terms.current_version,
    }),
    tokens: tokens.map((k) => ({
      ...k,
      issued: time(k.issued_at),
      expires: time(k.expires_at),
    })),
    // Staff calls that went through are shown by what they did; a refused one is shown as refused.
    timeline: timeline.filter((e) => e.type !== 'admin_call' || e.outcome !== 'ok').map(entry),
  };
}

function takeUntil<T>(items: T[], stop: (item: T) => boolean): T[] {
  const i = items.findIndex(stop);
  return i < 0 ? items : items.slice(0, i);
}

/** Events of the customer's own sign-in steps: their detail.reason is pxauth's, not a staff member's. */
const CUSTOMER_STEPS: readonly string[] = [EventType.Login, EventType.TwoFactor, EventType.OtpSend];

function describe(
  e: AuditEvent,
  staffNames: Map<string, string>,
  t: Translate,
  time: (at: number | string) => string,
): TimelineEntry {
  const detail = parseDetail(e.detail);
  const words = timelineWords(e.type, e.outcome, detail, t, hasText);
  // Events from before the path had its column named it in their detail (login, second factor, send).
  const path = e.path ?? (typeof detail.path === 'string' ? detail.path : null);
  // The staff member's own words; a token revocation's cause words ("staff", "password_changed") are not
  // theirs, nor the machine reasons of a customer's own steps (a send's "refused", a source's "timeout"),
  // which the entry already says in words.
  const reason =
    typeof detail.reason === 'string' &&
    !CUSTOMER_STEPS.includes(e.type) &&
    !['staff', 'password_changed', 'too many failed attempts'].includes(detail.reason)
      ? detail.reason
      : null;
  return {
    at: new Date(e.at).toISOString(),
    time: time(e.at),
    ...words,
    path: path === 'legacy' || path === 'oauth' ? t(`timeline.path.${path}`) : null,
    client: e.clientId,
    source: e.sourceIp ?? '',
    staff: e.staffId ? (staffNames.get(e.staffId) ?? e.staffId) : (e.staffName ?? ''),
    reason,
  };
}

function parseDetail(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
