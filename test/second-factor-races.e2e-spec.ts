import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import { PurgeJob } from '@/retention/purge.job';
import { burst, expectJudgedThenRefused, tally } from './support/bursts';
import { KEYS, TestApp, TestUser, expectEnvelope, totpAt, wrongTotp } from './support/harness';

/**
 * docs/api.md#post-usersauth_token and docs/api.md#post-usersuser_id2fa and docs/operations.md#shedding-and-throttling as an attacker who knows the password tries them: the second
 * factor takes the user's attempt before judging, like the password; a right answer racing wrong ones
 * neither locks early nor leaves the count wrong; what a password change, a factor reset or a lock
 * ends stays ended; a burst makes one lock.
 */

const THRESHOLD = 5;
async function totpChallenges(t: TestApp, u: TestUser, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = await t.login(u.username, u.password);
    expect(a.status).toBe(202);
    ids.push(a.body.challenge.id);
  }
  return ids;
}

async function lockView(t: TestApp, userId: string) {
  return (await t.admin('GET', `/admin/users/${userId}`)).body.lock;
}

describe('second factor under attack (docs/api.md#post-usersauth_token and docs/api.md#post-usersuser_id2fa and docs/operations.md#shedding-and-throttling)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ LOCKOUT_THRESHOLD: String(THRESHOLD) });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('30 wrong TOTP codes at once over six open challenges: LOCKOUT_THRESHOLD judged, one lock, the rest refused', async () => {
    const u = await t.createUser('burst2fa', { totp: true });
    const ids = await totpChallenges(t, u, 6);
    const rs = await burst(30, (i) =>
      t.twoFactor(u.userId, { challenge_id: ids[i % ids.length], passcode: wrongTotp(u.secret!) }),
    );
    expectJudgedThenRefused(rs, THRESHOLD, 'INVALID_MFA');
    for (const r of rs.filter((x) => x.status === 503)) expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(0);

    const events = await t.events(u.userId);
    expect(events.filter((e) => e.type === '2fa' && e.outcome === 'wrong')).toHaveLength(THRESHOLD);
    expect(events.filter((e) => e.type === 'lock')).toHaveLength(1);
    expect(await lockView(t, u.userId)).toMatchObject({ locked: true, locks_in_a_row: 1, consecutive_failures: 0 });
    // Answers after the lock are 403 and not counted: the lock stays the first, with nothing pending.
    expectEnvelope(
      await t.twoFactor(u.userId, { challenge_id: ids[0], passcode: totpAt(u.secret!) }),
      403,
      'ACCOUNT_LOCKED',
    );
    expect(await lockView(t, u.userId)).toMatchObject({ locks_in_a_row: 1, consecutive_failures: 0 });
  });

  it('the lock ends every open challenge: unlocked, the right code on an old challenge is CHALLENGE_EXPIRED', async () => {
    const u = await t.createUser('lockends', { totp: true });
    const [old] = await totpChallenges(t, u, 1);
    for (let i = 0; i < THRESHOLD; i++) {
      expectEnvelope(await t.login(u.username, 'wrong-password'), 401, 'INVALID_CREDENTIALS');
    }
    expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
    expectEnvelope(
      await t.twoFactor(u.userId, { challenge_id: old, passcode: totpAt(u.secret!) }),
      400,
      'CHALLENGE_EXPIRED',
    );
    // A new login works.
    const [fresh] = await totpChallenges(t, u, 1);
    expect((await t.twoFactor(u.userId, { challenge_id: fresh, passcode: totpAt(u.secret!) })).status).toBe(200);
  });

  it('a right password racing wrong ones never locks early, and the count it leaves is the wrong ones', async () => {
    for (let round = 0; round < 5; round++) {
      const u = await t.createUser('race', {});
      const wrong = THRESHOLD - 1;
      const rs = await burst(wrong + 1, (i) => t.login(u.username, i === 0 ? u.password : 'wrong-password'));
      const counts = tally(rs);
      expect(counts['401 INVALID_CREDENTIALS']).toBe(wrong);
      // The right one gets its token (it never sees 403: no lock exists).
      expect(counts['200']).toBe(1);
      const lock = await lockView(t, u.userId);
      expect(lock.locked).toBe(false);
      // The 200 reset the count; failures judged after it stay: between 0 and `wrong`, never more.
      expect(lock.consecutive_failures).toBeGreaterThanOrEqual(0);
      expect(lock.consecutive_failures).toBeLessThanOrEqual(wrong);
      expect(lock.attempts_in_flight).toBe(0);
      expect((await t.events(u.userId)).filter((e) => e.type === 'lock')).toHaveLength(0);
    }
  });

  it('wrong answers take attempts on the user; a right answer gives its attempt back', async () => {
    const u = await t.createUser('count2fa', { totp: true });
    const [c1, c2] = await totpChallenges(t, u, 2);
    expectEnvelope(
      await t.twoFactor(u.userId, { challenge_id: c1, passcode: wrongTotp(u.secret!) }),
      401,
      'INVALID_MFA',
    );
    expectEnvelope(
      await t.twoFactor(u.userId, { challenge_id: c2, passcode: wrongTotp(u.secret!) }),
      401,
      'INVALID_MFA',
    );
    expect(await lockView(t, u.userId)).toMatchObject({ consecutive_failures: 2, attempts_in_flight: 0 });
    expect((await t.twoFactor(u.userId, { challenge_id: c1, passcode: totpAt(u.secret!) })).status).toBe(200);
    expect(await lockView(t, u.userId)).toMatchObject({ consecutive_failures: 0, attempts_in_flight: 0 });
  });

  describe('what a change ends stays ended', () => {
    it('a password change ends the open challenges: the right code afterwards is CHALLENGE_EXPIRED', async () => {
      const u = await t.createUser('pwchange', { totp: true });
      const [open] = await totpChallenges(t, u, 1);
      expect((await t.admin('POST', `/admin/users/${u.userId}/password`, { password: 'a-new-password!' })).status).toBe(
        200,
      );
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: open, passcode: totpAt(u.secret!) }),
        400,
        'CHALLENGE_EXPIRED',
      );
    });

    it('a factor reset ends the open OTP challenges: sendOtp and 2fa on them are CHALLENGE_EXPIRED', async () => {
      const phone = '+14155550188';
      const u = await t.createUser('reset', { phone, email: 'reset@example.com' });
      const a = await t.login(u.username, u.password);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      const code = (await t.outboxCode(phone))!;
      const reset = await t.admin('PATCH', `/admin/users/${u.userId}`, { phone: null }, KEYS.support);
      expect(reset.status).toBe(200);
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code }),
        400,
        'CHALLENGE_EXPIRED',
      );
      const email = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'email');
      expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, email.id), 400, 'CHALLENGE_EXPIRED');
    });

    it('logins racing a password change: no token of the old password stays active once the change is done', async () => {
      // Fewer logins than the threshold, so that those judged against the new password cannot lock.
      for (let round = 0; round < 3; round++) {
        const u = await t.createUser('pwrace', {});
        const logins = burst(THRESHOLD - 1, () => t.login(u.username, u.password));
        const change = t.admin('POST', `/admin/users/${u.userId}/password`, { password: 'changed-password!' });
        const [rs, changed] = await Promise.all([logins, change]);
        expect(changed.status).toBe(200);
        for (const r of rs) expect([200, 401]).toContain(r.status);
        for (const r of rs.filter((x) => x.status === 200)) {
          const i = await t.admin('POST', '/tokens/introspect', { token: r.body.auth_token }, KEYS.rs);
          expect(i.body).toEqual({ active: false });
        }
        expect((await t.login(u.username, 'changed-password!')).status).toBe(200);
        expectEnvelope(await t.login(u.username, u.password), 401, 'INVALID_CREDENTIALS');
      }
    });
  });

  describe('every answer of sendOtp and 2fa is an audit event', () => {
    it('CHALLENGE_NOT_FOUND, INVALID_SEND_METHOD, OTP_NOT_SENT, CHALLENGE_EXPIRED and sent', async () => {
      const phone = '+14155550177';
      const u = await t.createUser('audit', { phone });
      const a = await t.login(u.username, u.password);
      const id = a.body.challenge.id as string;
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expectEnvelope(await t.sendOtp(u.userId, 'no-such-challenge', sms.id), 400, 'CHALLENGE_NOT_FOUND');
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: 'no-such-challenge', passcode: '123456' }),
        400,
        'CHALLENGE_NOT_FOUND',
      );
      expectEnvelope(await t.sendOtp(u.userId, id, 'not-offered'), 400, 'INVALID_SEND_METHOD');
      expectEnvelope(await t.twoFactor(u.userId, { challenge_id: id, passcode: '123456' }), 400, 'OTP_NOT_SENT');
      expect((await t.sendOtp(u.userId, id, sms.id)).status).toBe(200);
      const code = (await t.outboxCode(phone))!;
      expect((await t.twoFactor(u.userId, { challenge_id: id, passcode: code })).status).toBe(200);
      expectEnvelope(await t.twoFactor(u.userId, { challenge_id: id, passcode: code }), 400, 'CHALLENGE_EXPIRED');

      const seen = (await t.events(u.userId)).map((e) => `${e.type}:${e.outcome}`);
      for (const want of [
        'otp_send:challenge_not_found',
        '2fa:challenge_not_found',
        'otp_send:invalid_send_method',
        '2fa:otp_not_sent',
        'otp_send:sent',
        '2fa:success',
        '2fa:challenge_expired',
      ]) {
        expect(seen).toContain(want);
      }
    });

    it('503 maintenance answers on auth_token, sendOtp and 2fa are audit events too', async () => {
      const phone = '+14155550166';
      const u = await t.createUser('maint', { phone });
      const a = await t.login(u.username, u.password);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await t.admin('PUT', '/admin/maintenance', { enabled: true })).status).toBe(200);
      try {
        expectEnvelope(await t.login(u.username, u.password), 503, 'SERVICE_UNAVAILABLE');
        expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, sms.id), 503, 'SERVICE_UNAVAILABLE');
        expectEnvelope(
          await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: '1' }),
          503,
          'SERVICE_UNAVAILABLE',
        );
      } finally {
        expect((await t.admin('PUT', '/admin/maintenance', { enabled: false })).status).toBe(200);
      }
      const maintenance = (await t.events(u.userId)).filter((e) => e.outcome === 'maintenance').map((e) => e.type);
      expect(maintenance.sort()).toEqual(['2fa', 'login', 'otp_send']);
    });
  });

  describe('attempts in flight', () => {
    const plant = (u: TestUser, inFlight: number, ageMs: number) =>
      runSql(
        t.px.app.get(DataSource),
        `INSERT INTO login_guard (institution_id, username_norm, failures, in_flight, lock_count, locked_until, updated_at)
         VALUES (?, ?, ?, ?, 0, 0, ?)`,
        ['default', u.username.toLowerCase(), THRESHOLD, inFlight, Date.now() - ageMs],
      );

    it('all of them in flight and no lock: 503 with retry_at, never 403, and nothing counted', async () => {
      const u = await t.createUser('inflight', {});
      await plant(u, THRESHOLD, 1_000);
      const r = await t.login(u.username, u.password);
      expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(Date.now());
      expect(await lockView(t, u.userId)).toMatchObject({ locked: false, attempts_in_flight: THRESHOLD });
      expect((await t.events(u.userId)).map((e) => e.outcome)).toContain('attempts_in_flight');
    });

    it('left by a process that died, they settle into the lock they were due, attributed to the user', async () => {
      const u = await t.createUser('stale', {});
      await plant(u, THRESHOLD, 31_000);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      const lock = (await t.events(u.userId)).find((e) => e.type === 'lock');
      expect(lock).toMatchObject({
        outcome: 'locked_temporarily',
        detail: { cause: 'stale_attempts', lock_number: 1 },
      });
      expect(await lockView(t, u.userId)).toMatchObject({ locked: true, attempts_in_flight: 0 });
    });

    it('the purge job racing logins: no 403 for an unlocked user, no failure lost', async () => {
      const purge = t.px.app.get(PurgeJob);
      const u = await t.createUser('purge', {});
      for (let i = 0; i < 10; i++) {
        const [r] = await Promise.all([t.login(u.username, u.password), purge.runOnce(), purge.runOnce()]);
        expect(r.status).toBe(200);
      }
      for (let i = 0; i < THRESHOLD - 1; i++) {
        const [r] = await Promise.all([t.login(u.username, 'wrong-password'), purge.runOnce()]);
        expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
      }
      expect(await lockView(t, u.userId)).toMatchObject({ locked: false, consecutive_failures: THRESHOLD - 1 });
      await purge.runOnce();
      expectEnvelope(await t.login(u.username, 'wrong-password'), 401, 'INVALID_CREDENTIALS');
      expect(await lockView(t, u.userId)).toMatchObject({ locked: true, locks_in_a_row: 1 });
    });
  });
});
