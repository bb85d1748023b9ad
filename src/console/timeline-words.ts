import { ErrorId } from '@/common/errors/error-id';
import {
  CommonOutcome,
  EventType,
  LockOutcome,
  LoginOutcome,
  SendOutcome,
  StaffOutcome,
  TwoFactorOutcome,
} from '@/events/domain-event';
import { DELIVERY_FAILURES } from '@/otp/delivery/otp-delivery-channel';
import { UPSTREAM_TROUBLES } from '@/users/credentials/upstream';
import type { Translate } from './console-i18n';

/*
 * The timeline's words (docs/console.md, "The timeline"): what happened, why in the provider's or the
 * bank's terms, and what support can do next. Every text is in the catalogue (docs/texts.md), so a
 * bank can reword it with TEXTS_DIR; the tables below say which texts the timeline can ask for, and a
 * unit test holds both languages to them.
 */

const common = Object.values(CommonOutcome);

/** Every outcome the timeline can show, by event type. Throttle events are counted, not audited. */
export const TIMELINE_OUTCOMES: Record<Exclude<EventType, EventType.Throttle>, readonly string[]> = {
  [EventType.Login]: [...Object.values(LoginOutcome), ...common],
  [EventType.TwoFactor]: [...Object.values(TwoFactorOutcome), ...common],
  [EventType.OtpSend]: [...Object.values(SendOutcome), ...common],
  [EventType.Lock]: Object.values(LockOutcome),
  [EventType.Unlock]: [StaffOutcome.Unlocked],
  [EventType.TokenIssue]: [StaffOutcome.Issued],
  [EventType.TokenRevoke]: [StaffOutcome.Revoked],
  // A staff call that went through is shown by what it did; a refused one by its error id.
  [EventType.AdminCall]: [...Object.values(ErrorId), 'error'],
  [EventType.UserCreate]: [StaffOutcome.Created],
  [EventType.FactorsChange]: [StaffOutcome.Set, StaffOutcome.Reset],
  [EventType.PasswordChange]: [StaffOutcome.Changed],
  [EventType.UserRename]: [StaffOutcome.Changed],
  [EventType.Terms]: [StaffOutcome.Accepted],
};

/** Types said in one text whatever their outcome (`event.<type>`); the others have `event.<type>.<outcome>`. */
export const ONE_TEXT_TYPES: readonly string[] = [
  EventType.Unlock,
  EventType.TokenIssue,
  EventType.TokenRevoke,
  EventType.AdminCall,
  EventType.UserCreate,
  EventType.PasswordChange,
  EventType.UserRename,
  EventType.Terms,
];

/** What happened to the customer: these have next steps; what staff did is said by who did it, and why. */
const CUSTOMER_TYPES: readonly string[] = [EventType.Login, EventType.TwoFactor, EventType.OtpSend, EventType.Lock];
/** Outcomes that went as they should: nothing for support to do. Every other one has a next step. */
const FINE: readonly string[] = [
  `${EventType.Login}.${LoginOutcome.Success}`,
  `${EventType.Login}.${LoginOutcome.ChallengeIssued}`,
  `${EventType.TwoFactor}.${TwoFactorOutcome.Success}`,
  `${EventType.OtpSend}.${SendOutcome.Sent}`,
];

/** The outcomes that have a next step: `next.<type>.<outcome>`, else `next.<outcome>` (shared by the flows). */
export function needsNextStep(type: string, outcome: string): boolean {
  return CUSTOMER_TYPES.includes(type) && !FINE.includes(`${type}.${outcome}`);
}

/** A send's reasons: a delivery's (`why.send.<reason>`), and a method refused earlier in the challenge. */
export const SEND_REASONS: readonly string[] = [...DELIVERY_FAILURES, 'refused_before'];
/** Why the bank's login system could not answer (`why.source.<reason>`). */
export const SOURCE_REASONS: readonly string[] = UPSTREAM_TROUBLES;
/**
 * Provider codes said in words, with their own next step (`code.<provider>.<code>`, `next.code.<provider>.<code>`).
 * Twilio's refusals of the number (21211, 21610, 21614), and the delivery errors of its reports (30003,
 * 30005, 30006); any 5xx an SMTP server answers to RCPT TO is one refusal of the mailbox (`5xx`).
 */
export const PROVIDER_CODES: Readonly<Record<'twilio' | 'smtp', readonly string[]>> = {
  twilio: ['21211', '21610', '21614', '30003', '30005', '30006'],
  smtp: ['5xx'],
};

export interface TimelineWords {
  text: string;
  /** The reason, with the provider's code where it gave one: "Twilio 21614: not a mobile number". */
  why: string | null;
  next: string | null;
}

/** One event in words, from its type, outcome and detail (only identifiers, counts and reasons). */
export function timelineWords(
  type: string,
  outcome: string,
  detail: Record<string, unknown>,
  t: Translate,
  has: (key: string) => boolean,
): TimelineWords {
  const values = { ...detail, outcome, fields: Array.isArray(detail.fields) ? detail.fields.join(', ') : '' };
  const key = has(`event.${type}.${outcome}`) ? `event.${type}.${outcome}` : `event.${type}`;
  const text = has(key) ? t(key, values) : `${type}: ${outcome}`;
  const first = (...keys: string[]) => keys.find((k) => has(k));
  const reason = typeof detail.reason === 'string' ? detail.reason : null;
  const code =
    typeof detail.provider_code === 'string' && /^[A-Za-z0-9_]{1,32}$/.test(detail.provider_code)
      ? detail.provider_code
      : null;
  let why: string | null = null;
  let nextKey: string | undefined;
  // The audit's values are plain strings: compared as strings.
  const is = (of: EventType, o?: string) => type === (of as string) && (o === undefined || outcome === o);
  if (is(EventType.OtpSend) && reason && SEND_REASONS.includes(reason)) {
    const provider = detail.method === 'email' ? 'smtp' : 'twilio';
    const codeKey = code && (provider === 'smtp' && /^5\d\d$/.test(code) ? '5xx' : code);
    const words = codeKey ? first(`code.${provider}.${codeKey}`) : undefined;
    const said = t(`why.send.${reason}`);
    const named = { why: said, provider: t(`provider.${provider}`), code };
    if (words) why = t('timeline.codeWords', { ...named, words: t(words) });
    else why = code ? t('timeline.reasonCode', named) : said;
    nextKey = first(...(words ? [`next.code.${provider}.${codeKey}`] : []), `next.send.${reason}`);
  } else if (is(EventType.Login, LoginOutcome.SourceUnavailable) && reason) {
    if (SOURCE_REASONS.includes(reason)) why = t(`why.source.${reason}`);
    nextKey = first(`next.source.${reason}`);
  }
  nextKey ??= needsNextStep(type, outcome) ? first(`next.${type}.${outcome}`, `next.${outcome}`) : undefined;
  return { text, why, next: nextKey ? t(nextKey, values) : null };
}
