import { KEYS, Res, TestApp, TestUser, expectEnvelope, totpAt, wrongTotp } from './support/harness';

/**
 * docs/api.md#post-usersauth_token: consecutive failures per (institution, normalised username), known or not;
 * the lock at LOCKOUT_THRESHOLD; what resets the count; LOCKOUT_MODE; unlock; the audit trail.
 */

const THRESHOLD = 5;
const WRONG = 'not-the-password';
let seq = 0;
const uname = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const makeUser = (t: TestApp, prefix: string, fields: Record<string, unknown> = {}) => t.createUser(prefix, fields);

async function view(t: TestApp, userId: string) {
  const r = await t.admin('GET', `/admin/users/${userId}`);
  expect(r.status).toBe(200);
  return r.body as {
    lock: {
      locked: boolean;
      permanent: boolean;
      until: string | null;
      reason: string | null;
      consecutive_failures: number;
      locks_in_a_row: number;
    };
  };
}

/** Calls `fn` until `done` holds (or the generous deadline passes), returning every answer with when it arrived. */
async function poll(fn: () => Promise<Res>, done: (r: Res) => boolean, deadlineMs = 20_000, everyMs = 100) {
  const seen: { r: Res; receivedAt: number }[] = [];
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await fn();
    seen.push({ r, receivedAt: Date.now() });
    if (done(r) || Date.now() > end) return seen;
    await sleep(everyMs);
  }
}

async function failTimes(t: TestApp, username: string, n: number, password = WRONG): Promise<void> {
  for (let i = 0; i < n; i++) expectEnvelope(await t.login(username, password), 401, 'INVALID_CREDENTIALS');
}

describe('lockout: docs/api.md#post-usersauth_token', () => {
  describe('with the defaults (LOCKOUT_THRESHOLD=5, escalating)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start();
    });
    afterAll(async () => {
      await t.stop();
    });

    it('attempts 1 to 5 wrong are 401; the 6th is 403 even with the right password; the view and the audit say why', async () => {
      const u = await makeUser(t, 'Locky');
      // One count per normalised username: case and surrounding spaces do not give fresh attempts.
      const spellings = [u.username, u.username.toUpperCase(), ` ${u.username} `, u.username, u.username.toUpperCase()];
      for (const s of spellings) expectEnvelope(await t.login(s, WRONG), 401, 'INVALID_CREDENTIALS');
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.login(u.username.toUpperCase(), u.password), 403, 'ACCOUNT_LOCKED');

      const v = await view(t, u.userId);
      expect(v.lock).toMatchObject({
        locked: true,
        permanent: false,
        reason: 'too many failed attempts',
        locks_in_a_row: 1,
      });
      expect(Date.parse(v.lock.until!)).toBeGreaterThan(Date.now());

      const ev = await t.events(u.userId);
      expect(ev.filter((e) => e.type === 'login' && e.outcome === 'invalid_credentials')).toHaveLength(THRESHOLD);
      const locks = ev.filter((e) => e.type === 'lock');
      expect(locks).toHaveLength(1);
      expect(locks[0]).toMatchObject({
        outcome: 'locked_temporarily',
        detail: { lock_number: 1, reason: 'too many failed attempts' },
      });
      expect(typeof locks[0].request_id).toBe('string');
      expect(ev.filter((e) => e.type === 'login' && e.outcome === 'locked')).toHaveLength(2);
    });

    it("an unknown username locks the same way, with 401 and 403 bodies identical to a known user's", async () => {
      const known = await makeUser(t, 'known');
      const ghost = uname('ghost');
      const knownRes: Res[] = [];
      const ghostRes: Res[] = [];
      for (let i = 0; i < THRESHOLD + 1; i++) {
        knownRes.push(await t.login(known.username, i < THRESHOLD ? WRONG : known.password));
        ghostRes.push(await t.login(ghost, i < THRESHOLD ? WRONG : known.password));
      }
      for (let i = 0; i < THRESHOLD; i++) {
        expectEnvelope(knownRes[i], 401, 'INVALID_CREDENTIALS');
        expectEnvelope(ghostRes[i], 401, 'INVALID_CREDENTIALS');
      }
      expectEnvelope(knownRes[THRESHOLD], 403, 'ACCOUNT_LOCKED');
      expectEnvelope(ghostRes[THRESHOLD], 403, 'ACCOUNT_LOCKED');
      const shape = (r: Res) => ({ status: r.status, keys: Object.keys(r.body).sort(), error: r.body.error });
      for (let i = 0; i <= THRESHOLD; i++) {
        expect(shape(ghostRes[i])).toEqual(shape(knownRes[i]));
        expect(ghostRes[i].body.request_id).not.toBe(knownRes[i].body.request_id);
      }
      // Nothing was created for the unknown name, and it stays locked.
      expect((await t.admin('GET', `/admin/users?username=${ghost}`)).body.users).toEqual([]);
      expectEnvelope(await t.login(ghost, WRONG), 403, 'ACCOUNT_LOCKED');
    });

    it('user without a second factor: the 200 completes authentication and resets the count', async () => {
      const u = await makeUser(t, 'plain');
      await failTimes(t, u.username, THRESHOLD - 1);
      const ok = await t.login(u.username, u.password);
      expect(ok.status).toBe(200);
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: false, consecutive_failures: 0 });
      // Four more wrong would have been failures 5 to 8 without the reset.
      await failTimes(t, u.username, THRESHOLD - 1);
      expect((await t.login(u.username, u.password)).status).toBe(200);
      await failTimes(t, u.username, THRESHOLD);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
    });

    it('a right password (202) gives its attempt back but does not reset the count', async () => {
      const u = await makeUser(t, 'mfa', { totp: true });
      await failTimes(t, u.username, THRESHOLD - 1);
      for (let i = 0; i < 3; i++) expect((await t.login(u.username, u.password)).status).toBe(202);
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: false, consecutive_failures: THRESHOLD - 1 });
      // The fifth failure overall locks.
      await failTimes(t, u.username, 1);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
    });

    it('TOTP: 4 wrong passwords, the right one (202), then one wrong passcode: locked, and the right passcode cannot get past it', async () => {
      const u = await makeUser(t, 'totp', { totp: true });
      await failTimes(t, u.username, THRESHOLD - 1);
      const a = await t.login(u.username, u.password);
      expect(a.status).toBe(202);
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrongTotp(u.secret!) }),
        401,
        'INVALID_MFA',
      );
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret!) }),
        403,
        'ACCOUNT_LOCKED',
      );
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: true, reason: 'too many failed attempts' });
      const ev = await t.events(u.userId);
      expect(ev.filter((e) => e.type === 'lock' && e.outcome === 'locked_temporarily')).toHaveLength(1);
      expect(ev.some((e) => e.type === '2fa' && e.outcome === 'success')).toBe(false);
    });

    it('OTP: 4 wrong passwords, the right one (202), then one wrong passcode: locked', async () => {
      const phone = `+1415${String(3_000_000 + Math.floor(Math.random() * 999_999)).slice(-7)}`;
      const u = await makeUser(t, 'otp', { phone });
      await failTimes(t, u.username, THRESHOLD - 1);
      const a = await t.login(u.username, u.password);
      expect(a.status).toBe(202);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      const code = (await t.outboxCode(phone))!;
      expect(code).toMatch(/^\d{6}$/);
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrong }),
        401,
        'INVALID_MFA',
      );
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code }),
        403,
        'ACCOUNT_LOCKED',
      );
    });

    it('completing 2fa (200) resets the count', async () => {
      const u = await makeUser(t, 'reset', { totp: true });
      await failTimes(t, u.username, THRESHOLD - 1);
      const a = await t.login(u.username, u.password);
      expect(a.status).toBe(202);
      const done = await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret!) });
      expect(done.status).toBe(200);
      expect(done.body.auth_token).toEqual(expect.any(String));
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: false, consecutive_failures: 0 });
      await failTimes(t, u.username, THRESHOLD - 1);
      expect((await t.login(u.username, u.password)).status).toBe(202);
    });

    it('unlock resets everything: the lock, the failure count and the run of locks; lock and unlock are audited', async () => {
      const u = await makeUser(t, 'unlk');
      await failTimes(t, u.username, THRESHOLD);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      const r = await t.admin('POST', `/admin/users/${u.userId}/unlock`, undefined, KEYS.support);
      expect(r.status).toBe(200);
      expect(r.body.lock).toEqual({
        locked: false,
        permanent: false,
        until: null,
        reason: null,
        since: null,
        consecutive_failures: 0,
        attempts_in_flight: 0,
        locks_in_a_row: 0,
      });
      // Failures short of a lock are forgotten too.
      await failTimes(t, u.username, THRESHOLD - 1);
      expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
      await failTimes(t, u.username, THRESHOLD - 1);
      expect((await t.login(u.username, u.password)).status).toBe(200);

      const ev = await t.events(u.userId);
      const lock = ev.find((e) => e.type === 'lock');
      const unlocks = ev.filter((e) => e.type === 'unlock');
      expect(lock).toMatchObject({
        outcome: 'locked_temporarily',
        detail: { reason: 'too many failed attempts', lock_number: 1 },
      });
      expect(unlocks).toHaveLength(2);
      for (const e of unlocks) {
        expect(e.outcome).toBe('unlocked');
        expect(e.staff_id).toEqual(expect.any(String));
      }
      // newest first: the later unlock (admin) and the earlier one (support) are different staff members
      expect(unlocks[0].staff_id).not.toBe(unlocks[1].staff_id);
    });
  });

  describe('LOCKOUT_MODE=temporary, LOCKOUT_DURATION=1s', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ LOCKOUT_MODE: 'temporary', LOCKOUT_DURATION: '1s' });
    });
    afterAll(async () => {
      await t.stop();
    });

    /** Locks `u` (5 wrong), then polls with the right password until it gets in; every answer received before the lock's end is 403. */
    async function lockAndOutlast(u: TestUser, lockNumber: number) {
      await failTimes(t, u.username, THRESHOLD);
      const v = await view(t, u.userId);
      expect(v.lock).toMatchObject({ locked: true, permanent: false, locks_in_a_row: lockNumber });
      const until = Date.parse(v.lock.until!);
      const seen = await poll(
        () => t.login(u.username, u.password),
        (r) => r.status !== 403,
      );
      const last = seen[seen.length - 1];
      expect(last.r.status).toBe(202);
      for (const s of seen) if (s.receivedAt < until) expectEnvelope(s.r, 403, 'ACCOUNT_LOCKED');
      return until;
    }

    it('a lock expires by itself, and the next one, without a completed login between, lasts twice as long', async () => {
      // A user with a second factor: its 202 does not complete authentication, so the run of locks goes on.
      const u = await makeUser(t, 'temp', { totp: true });
      await lockAndOutlast(u, 1);
      await lockAndOutlast(u, 2);

      const locks = (await t.events(u.userId)).filter((e) => e.type === 'lock').reverse() as unknown as {
        at: string;
        outcome: string;
        detail: { lock_number: number; until: string };
      }[];
      expect(locks.map((e) => [e.outcome, e.detail.lock_number])).toEqual([
        ['locked_temporarily', 1],
        ['locked_temporarily', 2],
      ]);
      // How long each lock was set for, as the server recorded it (its `until` against the event's own time).
      const [d1, d2] = locks.map((e) => Date.parse(e.detail.until) - Date.parse(e.at));
      expect(d1).toBeLessThanOrEqual(1000);
      expect(d2).toBeLessThanOrEqual(2000);
      expect(d2).toBeGreaterThan(1000);
      expect((await view(t, u.userId)).lock.locked).toBe(false);
    });
  });

  describe('LOCKOUT_MODE=escalating, LOCKOUT_DURATION=500ms, LOCKOUT_MAX_TEMPORARY=1', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ LOCKOUT_MODE: 'escalating', LOCKOUT_DURATION: '500ms', LOCKOUT_MAX_TEMPORARY: '1' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('the first lock expires; the second holds until staff unlock, shown as permanent with its reason', async () => {
      const u = await makeUser(t, 'esc');
      await failTimes(t, u.username, THRESHOLD);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: true, permanent: false });
      const freed = await poll(
        () => t.admin('GET', `/admin/users/${u.userId}`),
        (r) => r.body.lock.locked === false,
      );
      expect(freed[freed.length - 1].r.body.lock.locked).toBe(false);

      // No completed login in between: five more wrong passwords make the second lock, and it is permanent.
      await failTimes(t, u.username, THRESHOLD);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      const locked = await view(t, u.userId);
      expect(locked.lock).toMatchObject({
        locked: true,
        permanent: true,
        until: null,
        reason: 'too many failed attempts',
        locks_in_a_row: 2,
      });
      // Well past what a doubled temporary lock (1 s) would last: still locked.
      await sleep(2_500);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: true, permanent: true });

      const locks = (await t.events(u.userId)).filter((e) => e.type === 'lock').reverse();
      expect(locks.map((e) => [e.outcome, e.detail.lock_number])).toEqual([
        ['locked_temporarily', 1],
        ['locked_until_unlocked', 2],
      ]);
      expect(locks[1].detail).toMatchObject({ until: null, reason: 'too many failed attempts' });

      const un = await t.admin('POST', `/admin/users/${u.userId}/unlock`);
      expect(un.status).toBe(200);
      expect(un.body.lock).toMatchObject({
        locked: false,
        permanent: false,
        consecutive_failures: 0,
        locks_in_a_row: 0,
      });
      expect((await t.login(u.username, u.password)).status).toBe(200);
      expect((await t.events(u.userId)).find((e) => e.type === 'unlock')).toMatchObject({
        outcome: 'unlocked',
        staff_id: expect.any(String),
      });

      // The run of locks started again: the next lock is a temporary one.
      await failTimes(t, u.username, THRESHOLD);
      expect((await view(t, u.userId)).lock).toMatchObject({ locked: true, permanent: false, locks_in_a_row: 1 });
    });
  });

  describe('LOCKOUT_MODE=manual', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ LOCKOUT_MODE: 'manual', LOCKOUT_DURATION: '200ms' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('the first lock already holds until staff unlock', async () => {
      const u = await makeUser(t, 'man');
      await failTimes(t, u.username, THRESHOLD);
      expect((await view(t, u.userId)).lock).toMatchObject({
        locked: true,
        permanent: true,
        until: null,
        reason: 'too many failed attempts',
      });
      await sleep(1_500);
      expectEnvelope(await t.login(u.username, u.password), 403, 'ACCOUNT_LOCKED');
      expect((await t.events(u.userId)).find((e) => e.type === 'lock')).toMatchObject({
        outcome: 'locked_until_unlocked',
        detail: { lock_number: 1, until: null },
      });
      expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
      expect((await t.login(u.username, u.password)).status).toBe(200);
    });
  });

  describe('configuration', () => {
    it('LOCKOUT_THRESHOLD=101 stops the start with a message naming LOCKOUT_THRESHOLD; 100 is accepted', async () => {
      await expect(TestApp.start({ LOCKOUT_THRESHOLD: '101' })).rejects.toThrow(/LOCKOUT_THRESHOLD/);
      const t = await TestApp.start({ LOCKOUT_THRESHOLD: '100' });
      try {
        const u = await makeUser(t, 'hundred');
        await failTimes(t, u.username, 6);
        expect((await t.login(u.username, u.password)).status).toBe(200);
      } finally {
        await t.stop();
      }
    });
  });
});
