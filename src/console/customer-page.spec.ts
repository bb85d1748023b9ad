import type { AuditEvent } from '@/audit/audit-event.entity';
import type { UserView } from '@/staff/admin/user-view';
import { translator } from './console-i18n';
import { customerPage } from './customer-page';

let id = 0;
/** Events newest first, as AuditService.forUser gives them. */
const ev = (type: string, outcome: string, requestId: string, detail?: object): AuditEvent => ({
  id: ++id,
  at: Date.UTC(2026, 10, 23, 9, 0, id),
  type,
  outcome,
  userId: 'u1',
  institutionId: 'default',
  clientId: null,
  path: null,
  staffId: null,
  staffSub: null,
  staffName: null,
  requestId,
  sourceIp: `10.0.0.${id}`,
  detail: detail ? JSON.stringify(detail) : null,
});

const user = (lock: Partial<UserView['lock']>): UserView => ({
  user_id: 'u1',
  username: 'alice',
  institution_id: 'default',
  source: { kind: 'local', reference: null },
  lock: {
    locked: false,
    permanent: false,
    until: null,
    reason: null,
    since: null,
    consecutive_failures: 0,
    attempts_in_flight: 0,
    locks_in_a_row: 0,
    ...lock,
  },
  factors: { otp: [], totp: true, kba: [] },
  mfa_preference: null,
  terms: { accepted_version: 1, current_version: 1, pending: false },
  created_at: '2026-11-23T09:00:00.000Z',
  updated_at: '2026-11-23T09:00:00.000Z',
});

describe(customerPage.name, () => {
  const t = translator('en');

  it('shows the failures since the last sign-in up to the lock, the one that tipped it included', () => {
    // oldest to newest, then reversed: a success, one wrong 2fa, three wrong passwords, the tipping one with the lock
    const oldestFirst = [
      ev('login', 'invalid_credentials', 'r0'),
      ev('login', 'success', 'r1'),
      ev('2fa', 'wrong', 'r2', { kind: 'totp' }),
      ev('login', 'invalid_credentials', 'r3'),
      ev('login', 'invalid_credentials', 'r4'),
      ev('2fa', 'totp_replay', 'r5', { kind: 'totp' }),
      ev('lock', 'locked_until_unlocked', 'r6', { reason: 'too many failed attempts' }),
      ev('login', 'invalid_credentials', 'r6'),
      ev('login', 'locked', 'r7'),
    ];
    const sut = customerPage(
      user({ locked: true, permanent: true, reason: 'too many failed attempts', since: '2026-11-23T09:00:07.000Z' }),
      [...oldestFirst].reverse(),
      new Map(),
      [],
      5,
      t,
      'en',
    );
    expect(sut.lockStory).toEqual([
      'Yes. This account has been locked since 23 Nov 2026, 09:00:07 UTC, until a staff member unlocks it.',
      'Why: too many failed attempts in a row.',
    ]);
    expect(sut.failures.map((f) => [f.text, f.source])).toEqual([
      ['Wrong password', '10.0.0.8'],
      ['Authenticator code used twice', '10.0.0.6'],
      ['Wrong password', '10.0.0.5'],
      ['Wrong password', '10.0.0.4'],
      ['Wrong second-factor answer (totp)', '10.0.0.3'],
    ]);
  });

  it('not locked: says so, counts the failures so far, and lists only those since the last unlock', () => {
    const oldestFirst = [
      ev('login', 'invalid_credentials', 'a'),
      ev('unlock', 'unlocked', 'b', { reason: 'verified caller' }),
      ev('login', 'invalid_credentials', 'c'),
    ];
    const sut = customerPage(user({ consecutive_failures: 1 }), [...oldestFirst].reverse(), new Map(), [], 5, t, 'en');
    expect(sut.lockStory).toEqual([
      'No. This account is not locked.',
      '1 failed attempts in a row since the last successful sign-in; the account locks at 5.',
    ]);
    expect(sut.failures).toHaveLength(1);
    expect(sut.timeline.find((e) => e.text === 'Unlocked by staff')?.reason).toBe('verified caller');
  });

  it('a staff lock says who decided it, in their words; a token revocation shows no cause code as a reason', () => {
    const sut = customerPage(
      user({ locked: true, permanent: true, reason: 'fraud suspected', since: '2026-11-23T09:00:00.000Z' }),
      [ev('token_revoke', 'revoked', 'x', { count: 2, reason: 'staff' })],
      new Map(),
      [],
      5,
      translator('es'),
      'es',
    );
    expect(sut.lockStory[1]).toBe('Motivo: la bloqueó alguien del personal: «fraud suspected».');
    expect(sut.timeline[0]).toMatchObject({ text: 'Tokens de acceso revocados (2)', reason: null });
  });

  it("a send's failure reason is said in words, never shown as if a staff member had typed it", () => {
    const refused = ev('otp_send', 'provider_refused', 'y', {
      method: 'sms',
      reason: 'refused',
      provider_code: '21614',
    });
    const sut = customerPage(user({}), [refused], new Map(), [], 5, t, 'en');
    expect(sut.timeline[0]).toMatchObject({ reason: null, why: expect.stringContaining('21614') });
  });
});
