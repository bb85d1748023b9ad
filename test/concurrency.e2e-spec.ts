import { burst, expectJudgedThenRefused, tally } from './support/bursts';
import { KEYS, TestApp, expectEnvelope, totpAt, wrongTotp } from './support/harness';

/**
 * docs/api.md#post-usersauth_token and docs/api.md#post-usersuser_id2fa and docs/architecture.md#storage under bursts: counters and single-use steps are conditional
 * UPDATEs in the database, so concurrency never gets more judged than the limits allow, and a
 * challenge is a row that outlives the process.
 */

const THRESHOLD = 5;
let seq = 0;
const uname = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
const phoneNo = () => `+1415${String(4_000_000 + ++seq * 7919 + Math.floor(Math.random() * 5000)).slice(-7)}`;

const makeUser = (t: TestApp, prefix: string, fields: Record<string, unknown> = {}) => t.createUser(prefix, fields);

async function outboxCount(t: TestApp, to: string): Promise<number> {
  return (await t.admin('GET', `/admin/outbox?to=${encodeURIComponent(to)}`)).body.messages.length;
}

/** An OTP challenge of a fresh user, sent by sms, with the code read from the outbox. */
async function sentOtpChallenge(t: TestApp) {
  const phone = phoneNo();
  const u = await makeUser(t, 'otp', { phone });
  const a = await t.login(u.username, u.password);
  expect(a.status).toBe(202);
  const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
  expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
  const code = (await t.outboxCode(phone))!;
  expect(code).toMatch(/^\d{6}$/);
  return { ...u, phone, challengeId: a.body.challenge.id as string, code };
}

describe('concurrency: docs/api.md#post-usersauth_token and docs/api.md#post-usersuser_idsendotp and docs/api.md#post-usersuser_id2fa and docs/architecture.md#storage', () => {
  describe('password bursts (defaults)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start();
    });
    afterAll(async () => {
      await t.stop();
    });

    it('40 concurrent wrong passwords for one user: exactly LOCKOUT_THRESHOLD are checked (401), the rest 403', async () => {
      const u = await makeUser(t, 'burst');
      const rs = await burst(40, () => t.login(u.username, 'wrong-password'));
      expectJudgedThenRefused(rs, THRESHOLD, 'INVALID_CREDENTIALS');
      // Locked now, right password or not.
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');

      const ev = await t.events(u.userId);
      const logins = ev.filter((e) => e.type === 'login');
      expect(logins.filter((e) => e.outcome === 'invalid_credentials')).toHaveLength(THRESHOLD);
      const inFlight = logins.filter((e) => e.outcome === 'attempts_in_flight').length;
      expect(inFlight).toBe(rs.filter((r) => r.status === 503).length);
      expect(logins.filter((e) => e.outcome === 'locked')).toHaveLength(40 - THRESHOLD - inFlight + 1);
      expect(ev.filter((e) => e.type === 'lock')).toHaveLength(1);
      const v = (await t.admin('GET', `/admin/users/${u.userId}`)).body;
      expect(v.lock).toMatchObject({ locked: true, locks_in_a_row: 1 });
    });

    it('the same for an unknown username', async () => {
      const ghost = uname('ghost');
      const rs = await burst(40, () => t.login(ghost, 'wrong-password'));
      expectJudgedThenRefused(rs, THRESHOLD, 'INVALID_CREDENTIALS');
      expectEnvelope(await t.login(ghost, 'another-guess'), 403, 'ACCOUNT_LOCKED');
    });

    it('a burst spread over spellings of one username shares one count', async () => {
      const u = await makeUser(t, 'Spell');
      const spellings = [u.username, u.username.toUpperCase(), `  ${u.username}`, `${u.username.toUpperCase()} `];
      const rs = await burst(40, (i) => t.login(spellings[i % spellings.length], 'wrong-password'));
      expectJudgedThenRefused(rs, THRESHOLD, 'INVALID_CREDENTIALS');
    });
  });

  describe('right answers raced (MFA_MAX_ATTEMPTS=20, the maximum)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ MFA_MAX_ATTEMPTS: '20' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('30 concurrent right OTP passcodes on one challenge: exactly one 200 with a token, the others CHALLENGE_EXPIRED', async () => {
      const c = await sentOtpChallenge(t);
      const rs = await burst(30, () => t.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: c.code }));
      // Up to 20 take an attempt and are judged right, but only one spends the challenge; the
      // others find it spent or out of attempts: CHALLENGE_EXPIRED ("already used"), or 503 while every
      // remaining attempt of the user is in flight (docs/operations.md#shedding-and-throttling). Never a second token.
      const counts = tally(rs);
      expect(counts['200']).toBe(1);
      expect((counts['400 CHALLENGE_EXPIRED'] ?? 0) + (counts['503 SERVICE_UNAVAILABLE'] ?? 0)).toBe(29);
      const ok = rs.find((r) => r.status === 200)!;
      expect(ok.body).toEqual({ user_id: c.userId, auth_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      for (const r of rs) if (r.status !== 200) expectEnvelope(r, r.status, r.body.error.id);
      const active = await t.admin('POST', '/tokens/introspect', { token: ok.body.auth_token }, KEYS.rs);
      expect(active.body).toMatchObject({ active: true, user_id: c.userId });
      const ev = await t.events(c.userId);
      expect(ev.filter((e) => e.type === '2fa' && e.outcome === 'success')).toHaveLength(1);
      expect(ev.filter((e) => e.type === 'token_issue')).toHaveLength(1);
      // No right answer counted as a failure: the user is not locked and has nothing against them.
      expect((await t.admin('GET', `/admin/users/${c.userId}`)).body.lock).toMatchObject({
        locked: false,
        consecutive_failures: 0,
      });
    });

    it('30 concurrent right TOTP codes on one challenge: exactly one 200 with a token', async () => {
      const u = await makeUser(t, 'totp', { totp: true });
      const a = await t.login(u.username, u.password);
      expect(a.status).toBe(202);
      const code = totpAt(u.secret!);
      const rs = await burst(30, () => t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code }));
      const counts = tally(rs);
      expect(counts['200']).toBe(1);
      // The challenge is spent before the code's time step is claimed, so every loser finds it spent
      // or out of attempts (400 CHALLENGE_EXPIRED), or, while the user's remaining attempts were all
      // in flight, 503 (docs/operations.md#shedding-and-throttling): never a replay, never a failure counted.
      expect((counts['400 CHALLENGE_EXPIRED'] ?? 0) + (counts['503 SERVICE_UNAVAILABLE'] ?? 0)).toBe(29);
      const ok = rs.find((r) => r.status === 200)!;
      expect(ok.body).toEqual({ user_id: u.userId, auth_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      const ev = await t.events(u.userId);
      expect(ev.filter((e) => e.type === '2fa' && e.outcome === 'success')).toHaveLength(1);
      expect(ev.filter((e) => e.type === '2fa' && e.outcome === 'totp_replay')).toHaveLength(0);
      expect((await t.admin('GET', `/admin/users/${u.userId}`)).body.lock).toMatchObject({
        locked: false,
        consecutive_failures: 0,
      });
    });
  });

  describe('wrong passcodes raced (LOCKOUT_THRESHOLD=100, so the lockout stays out of the way)', () => {
    it.each([
      ['default (5)', {}, 5, 20],
      ['20', { MFA_MAX_ATTEMPTS: '20' }, 20, 40],
    ] as const)(
      'MFA_MAX_ATTEMPTS %s: a burst of wrong passcodes on one challenge gets exactly that many judged',
      async (_label, env, max, n) => {
        const t = await TestApp.start({ LOCKOUT_THRESHOLD: '100', ...env });
        try {
          const c = await sentOtpChallenge(t);
          const wrong = String((Number(c.code) + 1) % 1_000_000).padStart(6, '0');
          const rs = await burst(n, () => t.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: wrong }));
          expect(tally(rs)).toEqual({ '401 INVALID_MFA': max, '400 CHALLENGE_EXPIRED': n - max });
          const ev = await t.events(c.userId);
          expect(ev.filter((e) => e.type === '2fa' && e.outcome === 'wrong')).toHaveLength(max);
          expect((await t.admin('GET', `/admin/users/${c.userId}`)).body.lock.consecutive_failures).toBe(max);
          // Out of attempts: even the right code is refused now.
          expectEnvelope(
            await t.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: c.code }),
            400,
            'CHALLENGE_EXPIRED',
          );
        } finally {
          await t.stop();
        }
      },
    );

    it('TOTP too: 20 concurrent wrong codes, exactly MFA_MAX_ATTEMPTS (5) judged', async () => {
      const t = await TestApp.start({ LOCKOUT_THRESHOLD: '100' });
      try {
        const u = await makeUser(t, 'totpw', { totp: true });
        const a = await t.login(u.username, u.password);
        const wrong = wrongTotp(u.secret!);
        const rs = await burst(20, () => t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrong }));
        expect(tally(rs)).toEqual({ '401 INVALID_MFA': 5, '400 CHALLENGE_EXPIRED': 15 });
      } finally {
        await t.stop();
      }
    });
  });

  describe('sends and restarts (defaults)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start();
    });
    afterAll(async () => {
      await t.stop();
    });

    it('10 concurrent sendOtp on one challenge send exactly one message (OTP_RESEND_INTERVAL 30s)', async () => {
      const phone = phoneNo();
      const u = await makeUser(t, 'send', { phone });
      const a = await t.login(u.username, u.password);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      const rs = await burst(10, () => t.sendOtp(u.userId, a.body.challenge.id, sms.id));
      expect(tally(rs)).toEqual({ 200: 1, '400 SEND_LIMIT_REACHED': 9 });
      expect(await outboxCount(t, phone)).toBe(1);
      const ev = await t.events(u.userId);
      expect(ev.filter((e) => e.type === 'otp_send' && e.outcome === 'sent')).toHaveLength(1);
      // The one code sent is the one that works.
      const code = (await t.outboxCode(phone))!;
      expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code })).status).toBe(200);
    });

    it('an OTP challenge survives a restart on the same database: sent before, answered after', async () => {
      const a = await t.login('user_otp');
      expect(a.status).toBe(202);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await t.sendOtp(a.body.user_id, a.body.challenge.id, sms.id)).status).toBe(200);
      await t.restart();
      const code = (await t.outboxCode('+14155550123'))!;
      expect(code).toMatch(/^\d{6}$/);
      const r = await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: code });
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(a.body.user_id);
      expect((await t.admin('POST', '/tokens/introspect', { token: r.body.auth_token }, KEYS.rs)).body.active).toBe(
        true,
      );
    });

    it('a KBA challenge survives a restart with the same questions: answering those, and only those, gives 200', async () => {
      const a = await t.login('user_kba');
      expect(a.status).toBe(202);
      const asked = a.body.challenge.questions as { id: string; text: string }[];
      expect(asked).toHaveLength(2);
      await t.restart();
      const r = await t.twoFactor(a.body.user_id, t.kbaForm(a.body.challenge.id, asked));
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(a.body.user_id);
    });

    it('attempts used before a restart stay used after it', async () => {
      const t2 = await TestApp.start({ LOCKOUT_THRESHOLD: '100' });
      try {
        const c = await sentOtpChallenge(t2);
        const wrong = String((Number(c.code) + 1) % 1_000_000).padStart(6, '0');
        for (let i = 0; i < 4; i++)
          expectEnvelope(
            await t2.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: wrong }),
            401,
            'INVALID_MFA',
          );
        await t2.restart();
        expectEnvelope(
          await t2.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: wrong }),
          401,
          'INVALID_MFA',
        );
        expectEnvelope(
          await t2.twoFactor(c.userId, { challenge_id: c.challengeId, passcode: c.code }),
          400,
          'CHALLENGE_EXPIRED',
        );
      } finally {
        await t2.stop();
      }
    });
  });
});
