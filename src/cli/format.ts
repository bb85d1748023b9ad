import type { OutboxView } from '@/otp/delivery/outbox.service';
import type { IssuedCredentials } from '@/partners/partners.service';
import type { CreatedUser } from '@/staff/admin/admin-users.service';
import type { UserView } from '@/staff/admin/user-view';
import type { IssuedStaffKey, RevokedStaffKey } from '@/staff-auth/staff.service';
import type { EventPage } from '@/audit/audit-query';

const rows = (pairs: [string, string | number | boolean | null | undefined][]) => {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v ?? '-'}`).join('\n');
};

const SHOWN_ONCE = 'Shown this once: only its SHA-256 is stored. Keep it somewhere safe now.';

export function credentialsText(c: IssuedCredentials): string {
  return `${rows([
    ['client_id', c.client_id],
    ['client_secret', c.client_secret],
    ['slot', c.slot],
  ])}\n${SHOWN_ONCE}`;
}

export function staffKeyText(k: IssuedStaffKey): string {
  return `${rows([
    ['id', k.id],
    ['name', k.name],
    ['role', k.role],
    ['key', k.key],
  ])}\n${SHOWN_ONCE}`;
}

export function userText(u: UserView): string {
  const lock = u.lock.locked
    ? `locked ${u.lock.permanent ? 'until unlocked by staff' : `until ${u.lock.until}`}${u.lock.reason ? ` (${u.lock.reason})` : ''}`
    : `not locked (${u.lock.consecutive_failures} consecutive failures)`;
  return rows([
    ['user_id', u.user_id],
    ['username', u.username],
    ['institution_id', u.institution_id],
    ['source', u.source.reference ? `${u.source.kind} (reference ${u.source.reference})` : u.source.kind],
    ['lock', lock],
    ['otp', u.factors.otp.map((m) => `${m.type} ${m.mask}`).join(', ') || 'none'],
    ['totp', u.factors.totp ? 'enrolled' : 'no'],
    ['kba', u.factors.kba.map((q) => q.text).join(' | ') || 'none'],
    ['mfa_preference', u.mfa_preference],
    [
      'terms',
      `accepted v${u.terms.accepted_version}, current v${u.terms.current_version}${u.terms.pending ? ' (pending)' : ''}`,
    ],
    ['created_at', u.created_at],
  ]);
}

/** The TOTP URI is printed for the user's authenticator app; the QR code (a data URL) only with --json. */
export function createdUserText(u: CreatedUser): string {
  const totp = u.totp_uri
    ? `\ntotp_uri: ${u.totp_uri}\nThe TOTP secret is shown this once: enrol it in the authenticator app now.`
    : '';
  return `${userText(u)}${totp}`;
}

export function outboxText(messages: OutboxView[]): string {
  if (!messages.length) return 'The outbox is empty.';
  return messages.map((m) => `${m.created_at}  #${m.id}  ${m.channel.padEnd(5)}  ${m.to}  ${m.body}`).join('\n');
}

export function migrationsText(applied: { timestamp: number; name: string }[], pending: boolean): string {
  const list = applied.map((m) => `  [x] ${m.name}`).join('\n');
  return `Migrations applied (${applied.length}):\n${list}\n${pending ? 'Some migrations are still pending.' : 'The schema is up to date.'}`;
}

export function retiredText(r: { client_id: string; revoked_slot: number; active_slots: number[] }): string {
  return `Retired secret ${r.revoked_slot} of client ${r.client_id}; active: ${r.active_slots.join(', ')}.`;
}

export function revokedKeyText(k: RevokedStaffKey): string {
  return `Revoked staff key ${k.id} (${k.name}, ${k.role}) at ${k.revoked_at}: it no longer works anywhere.`;
}

/** One line an event: when, what, outcome, whom, through whom; the detail as compact JSON. */
export function eventsText(page: EventPage): string {
  if (!page.events.length) return 'No events.';
  const lines = page.events.map((e) =>
    [
      e.at,
      `#${e.id}`,
      `${e.type}/${e.outcome}`,
      e.user_id ? `user=${e.user_id}` : '',
      e.path ? `path=${e.path}` : '',
      e.client_id ? `client=${e.client_id}` : '',
      e.staff_id ? `staff=${e.staff_id}` : '',
      e.source_ip ? `from=${e.source_ip}` : '',
      e.request_id ? `request=${e.request_id}` : '',
      e.detail ? JSON.stringify(e.detail) : '',
    ]
      .filter(Boolean)
      .join('  '),
  );
  const more = page.next_cursor ? `\nOlder: --cursor ${page.next_cursor}` : '';
  const newer = page.prev_cursor ? `\nNewer: --cursor ${page.prev_cursor}` : '';
  return `${lines.join('\n')}${more}${newer}`;
}
