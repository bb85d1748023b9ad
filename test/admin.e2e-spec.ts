import { KBA_ANSWERS, KEYS, PASSWORD, TestApp, expectEnvelope, totpAt } from './support/harness';

/** docs/api.md#staff-api: the admin API on the internal listener, its roles, and the factor choice (docs/api.md, Challenges). */

const SANDBOX_KBA = Object.entries(KBA_ANSWERS).map(([question, answer]) => ({ question, answer }));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let seq = 0;
const uname = (prefix = 'adm') => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
const phoneNo = () => `+1415${String(2_000_000 + ++seq * 7919).slice(-7)}`;

/** Every key of a JSON value, at any depth. */
function keysOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(keysOf);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]);
  return [];
}

const introspect = (app: TestApp, token: string) => app.admin('POST', '/tokens/introspect', { token }, KEYS.rs);

describe('admin API: docs/api.md#staff-api', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('POST /admin/users', () => {
    it('201 with the user exactly as GET /admin/users/:id shows it: factors masked, no hash, no secret', async () => {
      const phone = phoneNo();
      const username = uname('Alice');
      const r = await t.admin('POST', '/admin/users', {
        username,
        password: 'correct horse battery',
        phone,
        email: 'alice.admin@example.com',
        kba: [
          { question: 'First pet?', answer: 'Rex the Dog' },
          { question: 'First car?', answer: 'Beetle' },
        ],
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        username,
        institution_id: 'default',
        mfa_preference: null,
        lock: { locked: false, consecutive_failures: 0 },
        factors: {
          totp: false,
          otp: [
            { id: expect.any(String), type: 'sms', mask: `(***) ***-${phone.slice(-4)}` },
            { id: expect.any(String), type: 'voice', mask: `(***) ***-${phone.slice(-4)}` },
            { id: expect.any(String), type: 'email', mask: 'a****@e****.com' },
          ],
          kba: [
            { id: expect.any(String), text: 'First pet?' },
            { id: expect.any(String), text: 'First car?' },
          ],
        },
        terms: { pending: false },
      });
      expect(r.body.created_at).toMatch(ISO);
      expect(r.body.user_id).not.toContain(username.toLowerCase());
      expect(r.body).not.toHaveProperty('totp_uri');
      expect(r.body).not.toHaveProperty('totp_qr');
      const got = await t.admin('GET', `/admin/users/${r.body.user_id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(r.body);
      for (const body of [r.text, got.text]) {
        expect(body).not.toMatch(/correct horse|\$argon2|Rex the Dog|Beetle|alice\.admin@|4155/i);
      }
      expect(keysOf(got.body).filter((k) => /hash|secret|password|answer|phone|email|sealed/i.test(k))).toEqual([]);
    });

    it('totp:true answers an otpauth:// URI and a PNG QR code, once; a code from that secret then logs in', async () => {
      const { username, userId, created } = await t.createUser('adm', { totp: true }, PASSWORD);
      expect(created.body.totp_uri).toMatch(/^otpauth:\/\/totp\//);
      const secret = new URL(created.body.totp_uri).searchParams.get('secret')!;
      expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
      expect(created.body.totp_qr).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      const png = Buffer.from(created.body.totp_qr.split(',')[1], 'base64');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(created.body.factors.totp).toBe(true);

      const got = await t.admin('GET', `/admin/users/${userId}`);
      expect(got.body).not.toHaveProperty('totp_uri');
      expect(got.text).not.toContain(secret);

      const a = await t.login(username);
      expect(a.status).toBe(202);
      expect(a.body.challenge.type).toBe('totp');
      const r = await t.twoFactor(userId, { challenge_id: a.body.challenge.id, passcode: totpAt(secret) });
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(userId);
    });

    it('a kba list gives a KBA challenge over those questions, answered by those answers', async () => {
      const { username, userId, created } = await t.createUser('adm', { kba: SANDBOX_KBA }, PASSWORD);
      expect(created.body.factors.kba.map((q: { text: string }) => q.text)).toEqual(Object.keys(KBA_ANSWERS));
      const a = await t.login(username);
      expect(a.status).toBe(202);
      expect(a.body.challenge.type).toBe('kba');
      expect(a.body.challenge.questions).toHaveLength(2);
      for (const q of a.body.challenge.questions) expect(created.body.factors.kba).toContainEqual(q);
      expect((await t.twoFactor(userId, t.kbaForm(a.body.challenge.id, a.body.challenge.questions))).status).toBe(200);
    });

    it('phone and email give sms, voice and email methods, delivered to them', async () => {
      const phone = phoneNo();
      const email = `${uname('mail')}@example.org`;
      const { username, userId, created } = await t.createUser('adm', { phone, email }, PASSWORD);
      const a = await t.login(username);
      expect(a.status).toBe(202);
      expect(a.body.challenge.type).toBe('otp');
      expect(a.body.challenge.send_methods).toEqual(created.body.factors.otp);
      const byType = Object.fromEntries(
        a.body.challenge.send_methods.map((m: { type: string; id: string }) => [m.type, m.id]),
      );
      expect((await t.sendOtp(userId, a.body.challenge.id, byType.email)).status).toBe(200);
      const box = await t.admin('GET', `/admin/outbox?to=${encodeURIComponent(email)}`);
      expect(box.body.messages).toHaveLength(1);
      expect(box.body.messages[0]).toMatchObject({ channel: 'email', to: email });
      expect(
        (await t.twoFactor(userId, { challenge_id: a.body.challenge.id, passcode: (await t.outboxCode(email))! }))
          .status,
      ).toBe(200);
    });

    it.each([
      ['no plus', '4155550123'],
      ['leading zero', '+04155550123'],
      ['letters', '+1415CALLME'],
      ['too long', '+1234567890123456'],
    ])('a bad phone (%s) is 400 INVALID_REQUEST naming phone, and nothing is created', async (_name, phone) => {
      const username = uname('badphone');
      const r = await t.admin('POST', '/admin/users', { username, password: PASSWORD, phone });
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/phone/);
      expect((await t.admin('GET', `/admin/users?username=${username}`)).body).toEqual({ users: [] });
    });

    it('a bad email or a missing password is 400 INVALID_REQUEST naming the field', async () => {
      const e = await t.admin('POST', '/admin/users', {
        username: uname(),
        password: PASSWORD,
        email: 'not-an-address',
      });
      expectEnvelope(e, 400, 'INVALID_REQUEST');
      expect(e.body.error.message).toMatch(/email/);
      const p = await t.admin('POST', '/admin/users', { username: uname() });
      expectEnvelope(p, 400, 'INVALID_REQUEST');
      expect(p.body.error.message).toMatch(/password/);
    });

    it('a duplicate username is 409 CONFLICT, after NFKC, trim and lower-case; unique per institution', async () => {
      const base = uname('Jane.Doe');
      const first = await t.createUser('adm', { username: base }, PASSWORD);
      expectEnvelope(await t.admin('POST', '/admin/users', { username: base, password: 'other' }), 409, 'CONFLICT');
      expectEnvelope(
        await t.admin('POST', '/admin/users', { username: `  ${base.toUpperCase()} `, password: 'other' }),
        409,
        'CONFLICT',
      );
      // full-width letters fold to ASCII under NFKC
      const fullWidth = [...base]
        .map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
        .join('');
      expect(fullWidth).not.toBe(base);
      expectEnvelope(
        await t.admin('POST', '/admin/users', { username: fullWidth, password: 'other' }),
        409,
        'CONFLICT',
      );
      expectEnvelope(
        await t.admin('POST', '/admin/users', { username: base, password: 'other', institution_id: 'default' }),
        409,
        'CONFLICT',
      );

      const other = await t.admin('POST', '/admin/users', {
        username: base,
        password: 'pw-other-bank',
        institution_id: 'other-bank',
      });
      expect(other.status).toBe(201);
      expect(other.body.institution_id).toBe('other-bank');
      expect(other.body.user_id).not.toBe(first.userId);

      // the one user of the default institution is still the one who logs in, under any spelling
      const a = await t.login(` ${base.toUpperCase()}`);
      expect(a.status).toBe(200);
      expect(a.body.user_id).toBe(first.userId);
      const b = await t.login(base, 'pw-other-bank', { institution_id: 'other-bank' });
      expect(b.status).toBe(200);
      expect(b.body.user_id).toBe(other.body.user_id);
    });
  });

  describe('GET /admin/users', () => {
    it('?username=&institution_id= answers {users:[...]}, the username compared normalised', async () => {
      const name = uname('Find.Me');
      const a = await t.createUser('adm', { username: name }, PASSWORD);
      const b = await t.createUser('adm', { username: name, institution_id: 'bank-b' }, PASSWORD);
      const all = await t.admin('GET', `/admin/users?username=${encodeURIComponent(` ${name.toUpperCase()} `)}`);
      expect(all.status).toBe(200);
      expect(Object.keys(all.body)).toEqual(['users']);
      expect(all.body.users.map((u: { user_id: string }) => u.user_id).sort()).toEqual([a.userId, b.userId].sort());
      const inB = await t.admin('GET', `/admin/users?username=${encodeURIComponent(name)}&institution_id=bank-b`);
      expect(inB.body.users).toHaveLength(1);
      expect(inB.body.users[0]).toEqual((await t.admin('GET', `/admin/users/${b.userId}`)).body);
      expect((await t.admin('GET', '/admin/users?username=nobody_by_that_name')).body).toEqual({ users: [] });
      const wholeB = (await t.admin('GET', '/admin/users?institution_id=bank-b')).body.users as {
        user_id: string;
        institution_id: string;
      }[];
      expect(wholeB.map((u) => u.user_id)).toContain(b.userId);
      expect(wholeB.every((u) => u.institution_id === 'bank-b')).toBe(true);
    });

    it('GET /admin/users/:id of an unknown id is 404 NOT_FOUND', async () => {
      expectEnvelope(await t.admin('GET', '/admin/users/no-such-user'), 404, 'NOT_FOUND');
      expectEnvelope(await t.admin('POST', '/admin/users/no-such-user/unlock'), 404, 'NOT_FOUND');
    });

    it('the sandbox users are there, seen with their factors masked', async () => {
      const r = await t.admin('GET', '/admin/users?username=user_otp');
      expect(r.body.users).toHaveLength(1);
      expect(r.body.users[0].factors.otp.map((m: { mask: string }) => m.mask)).toEqual([
        '(***) ***-0123',
        '(***) ***-0123',
        'u****@e****.com',
      ]);
      expect(r.text).not.toMatch(/4155550123|user_otp@example\.com/);
    });
  });

  describe('lock and unlock', () => {
    it('lock: login is 403 and the view says so; unlock: login is 200 again', async () => {
      const { username, userId } = await t.createUser('adm', {}, PASSWORD);
      const locked = await t.admin('POST', `/admin/users/${userId}/lock`, { reason: 'customer called: stolen phone' });
      expect(locked.status).toBe(200);
      expect(locked.body.lock).toMatchObject({
        locked: true,
        permanent: true,
        until: null,
        reason: 'customer called: stolen phone',
      });
      expectEnvelope(await t.login(username), 403, 'ACCOUNT_LOCKED');
      expect((await t.admin('GET', `/admin/users/${userId}`)).body.lock.locked).toBe(true);

      const unlocked = await t.admin('POST', `/admin/users/${userId}/unlock`);
      expect(unlocked.status).toBe(200);
      expect(unlocked.body.lock).toMatchObject({ locked: false, consecutive_failures: 0 });
      expect((await t.login(username)).status).toBe(200);
    });

    it('unlock lifts a lock from failed logins, and the sandbox user_locked', async () => {
      const { username, userId } = await t.createUser('adm', {}, PASSWORD);
      for (let i = 0; i < 5; i++) expectEnvelope(await t.login(username, 'wrong'), 401, 'INVALID_CREDENTIALS');
      expectEnvelope(await t.login(username), 403, 'ACCOUNT_LOCKED');
      const view = (await t.admin('GET', `/admin/users/${userId}`)).body;
      // the first automatic lock is temporary (LOCKOUT_MODE=escalating), with its end shown
      expect(view.lock).toMatchObject({
        locked: true,
        permanent: false,
        until: expect.stringMatching(ISO),
        locks_in_a_row: 1,
      });
      expect(Date.parse(view.lock.until)).toBeGreaterThan(Date.now());
      expect((await t.admin('POST', `/admin/users/${userId}/unlock`)).status).toBe(200);
      expect((await t.login(username)).status).toBe(200);

      const lockedId = await t.userIdOf('user_locked');
      expectEnvelope(await t.login('user_locked'), 403, 'ACCOUNT_LOCKED');
      expect((await t.admin('POST', `/admin/users/${lockedId}/unlock`, undefined, KEYS.support)).status).toBe(200);
      expect((await t.login('user_locked')).status).toBe(200);
    });
  });

  describe('password', () => {
    it('a new password: the old one is 401, the new one 200 with the same user_id, and earlier tokens are inactive', async () => {
      const { username, userId } = await t.createUser('adm', {}, PASSWORD);
      const before = await t.login(username);
      expect(before.status).toBe(200);
      expect((await introspect(t, before.body.auth_token)).body.active).toBe(true);

      const r = await t.admin('POST', `/admin/users/${userId}/password`, { password: 'brand-new-pw' });
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(userId);
      expect(r.text).not.toContain('brand-new-pw');

      expectEnvelope(await t.login(username), 401, 'INVALID_CREDENTIALS');
      const after = await t.login(username, 'brand-new-pw');
      expect(after.status).toBe(200);
      expect(after.body.user_id).toBe(userId);
      expect((await introspect(t, before.body.auth_token)).body).toEqual({ active: false });
      expect((await introspect(t, after.body.auth_token)).body.active).toBe(true);
    });
  });

  describe('terms', () => {
    it('recording accepted terms lets user_terms log in', async () => {
      expectEnvelope(await t.login('user_terms'), 405, 'TERMS_NOT_ACCEPTED');
      const id = await t.userIdOf('user_terms');
      expect((await t.admin('GET', `/admin/users/${id}`)).body.terms.pending).toBe(true);
      const r = await t.admin('POST', `/admin/users/${id}/terms`, {}, KEYS.support);
      expect(r.status).toBe(200);
      expect(r.body.terms).toMatchObject({ pending: false });
      const login = await t.login('user_terms');
      expect(login.status).toBe(200);
      expect(login.body.user_id).toBe(id);
    });

    it('a version above TERMS_VERSION (1 here) is 400 naming the field, and nothing is recorded', async () => {
      const username = uname('terms');
      const created = await t.admin('POST', '/admin/users', {
        username,
        password: PASSWORD,
        terms_accepted_version: 2,
      });
      expectEnvelope(created, 400, 'INVALID_REQUEST');
      expect(created.body.error.message).toBe('terms_accepted_version: must be at most 1, the current TERMS_VERSION');
      expect((await t.admin('GET', `/admin/users?username=${username}`)).body.users).toEqual([]);

      const { userId } = await t.createUser('terms', { terms_accepted_version: 0 }, PASSWORD);
      const ahead = await t.admin('POST', `/admin/users/${userId}/terms`, { version: 2 }, KEYS.support);
      expectEnvelope(ahead, 400, 'INVALID_REQUEST');
      expect(ahead.body.error.message).toBe('version: must be at most 1, the current TERMS_VERSION');
      expect((await t.admin('GET', `/admin/users/${userId}`)).body.terms).toEqual({
        accepted_version: 0,
        current_version: 1,
        pending: true,
      });
      const current = await t.admin('POST', `/admin/users/${userId}/terms`, { version: 1 }, KEYS.support);
      expect([current.status, current.body.terms.accepted_version]).toEqual([200, 1]);
    });
  });

  describe('events', () => {
    it('login outcomes, lock, unlock and admin calls naming the staff member, newest first', async () => {
      const { username, userId } = await t.createUser('adm', {}, PASSWORD);
      await t.login(username, 'wrong');
      await t.login(username);
      await t.admin('POST', `/admin/users/${userId}/lock`, { reason: 'audit test' });
      await t.admin('POST', `/admin/users/${userId}/unlock`, undefined, KEYS.support);
      const r = await t.admin('GET', `/admin/users/${userId}/events`, undefined, KEYS.support);
      expect(r.status).toBe(200);
      const ev = r.body.events as {
        type: string;
        outcome: string;
        staff_id: string | null;
        detail: any;
        at: string;
        request_id: string | null;
      }[];
      const idx = (pred: (e: (typeof ev)[number]) => boolean) => ev.findIndex(pred);

      const failed = idx((e) => e.type === 'login' && e.outcome === 'invalid_credentials');
      const success = idx((e) => e.type === 'login' && e.outcome === 'success');
      const lock = idx((e) => e.type === 'lock');
      const unlock = idx((e) => e.type === 'unlock');
      for (const i of [failed, success, lock, unlock]) expect(i).toBeGreaterThanOrEqual(0);
      // newest first
      expect(unlock).toBeLessThan(lock);
      expect(lock).toBeLessThan(success);
      expect(success).toBeLessThan(failed);
      for (let i = 1; i < ev.length; i++) expect(Date.parse(ev[i - 1].at)).toBeGreaterThanOrEqual(Date.parse(ev[i].at));

      const lockCall = ev.find(
        (e) =>
          e.type === 'admin_call' &&
          e.detail?.method === 'POST' &&
          /lock$/.test(e.detail.route) &&
          !/unlock/.test(e.detail.route),
      );
      const unlockCall = ev.find((e) => e.type === 'admin_call' && /unlock/.test(e.detail?.route ?? ''));
      expect(lockCall?.staff_id).toEqual(expect.any(String));
      expect(unlockCall?.staff_id).toEqual(expect.any(String));
      expect(lockCall!.staff_id).not.toBe(unlockCall!.staff_id);
      expect(lockCall!.detail.staff_name).toBe('sandbox admin');
      expect(unlockCall!.detail.staff_name).toBe('sandbox support');
      // the lock and unlock themselves are by those staff members too
      expect(ev[lock].staff_id).toBe(lockCall!.staff_id);
      expect(ev[unlock].staff_id).toBe(unlockCall!.staff_id);
      expect(r.text).not.toContain(PASSWORD);
    });

    it('reading events is itself an admin call on record', async () => {
      const { userId } = await t.createUser('adm', {}, PASSWORD);
      await t.admin('GET', `/admin/users/${userId}/events`, undefined, KEYS.support);
      const ev = await t.events(userId);
      expect(
        ev.some(
          (e) => e.type === 'admin_call' && e.detail?.method === 'GET' && /events/.test(e.detail.route) && e.staff_id,
        ),
      ).toBe(true);
    });
  });

  describe('GET /admin/outbox', () => {
    it('newest first, with ?to= naming one recipient', async () => {
      const pa = phoneNo();
      const pb = phoneNo();
      const a = await t.createUser('adm', { phone: pa }, PASSWORD);
      const b = await t.createUser('adm', { phone: pb }, PASSWORD);
      const send = async (u: { username: string; userId: string }) => {
        const c = (await t.login(u.username)).body.challenge;
        expect((await t.sendOtp(u.userId, c.id, c.send_methods[0].id)).status).toBe(200);
      };
      await send(a);
      await send(b);
      await send(a);

      const all = (await t.admin('GET', '/admin/outbox')).body.messages as {
        id: number;
        channel: string;
        to: string;
        body: string;
        created_at: string;
      }[];
      expect(all.slice(0, 3).map((m) => m.to)).toEqual([pa, pb, pa]);
      for (let i = 1; i < all.length; i++) expect(all[i - 1].id).toBeGreaterThan(all[i].id);
      for (const m of all) {
        expect(Object.keys(m).sort()).toEqual(['body', 'channel', 'created_at', 'id', 'to']);
        expect(m.created_at).toMatch(ISO);
      }

      const onlyA = (await t.admin('GET', `/admin/outbox?to=${encodeURIComponent(pa)}`)).body.messages;
      expect(onlyA).toHaveLength(2);
      expect(onlyA.every((m: { to: string; channel: string }) => m.to === pa && m.channel === 'sms')).toBe(true);
      expect(onlyA[0].id).toBeGreaterThan(onlyA[1].id);
      expect(onlyA[0]).toEqual(all[0]);
      expect((await t.admin('GET', `/admin/outbox?to=${encodeURIComponent('+19999999999')}`)).body).toEqual({
        messages: [],
      });
    });
  });

  describe('roles', () => {
    it.each([
      ['no key', null],
      ['a wrong key', 'not-a-staff-key'],
      ['a malformed header', 'two words'],
    ])('%s is 401 UNAUTHORIZED', async (_name, key) => {
      expectEnvelope(await t.admin('GET', '/admin/users?username=user_good', undefined, key), 401, 'UNAUTHORIZED');
      expectEnvelope(await t.admin('GET', '/admin/outbox', undefined, key), 401, 'UNAUTHORIZED');
      const username = uname('nokey');
      expectEnvelope(await t.admin('POST', '/admin/users', { username, password: PASSWORD }, key), 401, 'UNAUTHORIZED');
      expect((await t.admin('GET', `/admin/users?username=${username}`)).body).toEqual({ users: [] });
    });

    it('support looks up, unlocks, records terms and reads events', async () => {
      const { username, userId } = await t.createUser('adm', { terms_accepted_version: 0 }, PASSWORD);
      const s = KEYS.support;
      expect((await t.admin('GET', `/admin/users?username=${username}`, undefined, s)).body.users[0].user_id).toBe(
        userId,
      );
      expect((await t.admin('GET', `/admin/users/${userId}`, undefined, s)).status).toBe(200);
      expect((await t.admin('POST', `/admin/users/${userId}/unlock`, undefined, s)).status).toBe(200);
      expect((await t.admin('POST', `/admin/users/${userId}/terms`, {}, s)).status).toBe(200);
      expect((await t.admin('GET', `/admin/users/${userId}/events`, undefined, s)).status).toBe(200);
      expect((await t.login(username)).status).toBe(200);
    });

    it('support gets 403 FORBIDDEN creating users, setting passwords, and maintenance; nothing changes', async () => {
      const s = KEYS.support;
      const username = uname('bysupport');
      expectEnvelope(await t.admin('POST', '/admin/users', { username, password: PASSWORD }, s), 403, 'FORBIDDEN');
      expect((await t.admin('GET', `/admin/users?username=${username}`)).body).toEqual({ users: [] });

      const u = await t.createUser('adm', {}, PASSWORD);
      expectEnvelope(
        await t.admin('POST', `/admin/users/${u.userId}/password`, { password: 'taken-over' }, s),
        403,
        'FORBIDDEN',
      );
      expectEnvelope(await t.login(u.username, 'taken-over'), 401, 'INVALID_CREDENTIALS');
      expect((await t.login(u.username)).status).toBe(200);

      expectEnvelope(await t.admin('PUT', '/admin/maintenance', { enabled: true }, s), 403, 'FORBIDDEN');
      expect((await t.login('user_good')).status).toBe(200);
    });

    it('the resource-server key gets 403 FORBIDDEN on admin routes', async () => {
      const rs = KEYS.rs;
      const id = await t.userIdOf('user_good');
      expectEnvelope(await t.admin('GET', '/admin/users?username=user_good', undefined, rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('GET', `/admin/users/${id}`, undefined, rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('GET', `/admin/users/${id}/events`, undefined, rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('POST', `/admin/users/${id}/lock`, {}, rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('POST', `/admin/users/${id}/unlock`, undefined, rs), 403, 'FORBIDDEN');
      expectEnvelope(
        await t.admin('POST', '/admin/users', { username: uname(), password: PASSWORD }, rs),
        403,
        'FORBIDDEN',
      );
      expectEnvelope(await t.admin('GET', '/admin/outbox', undefined, rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('PUT', '/admin/maintenance', { enabled: true }, rs), 403, 'FORBIDDEN');
      expect((await t.login('user_good')).status).toBe(200);
    });
  });

  describe('which factor is asked (docs/api.md, Challenges)', () => {
    let kbaFirst: TestApp; // MFA_PRIORITY=kba,otp,totp and KBA_QUESTIONS_ASKED=3
    let noKba: TestApp; // KBA_ENABLED=false
    beforeAll(async () => {
      [kbaFirst, noKba] = await Promise.all([
        TestApp.start({ MFA_PRIORITY: 'kba,otp,totp', KBA_QUESTIONS_ASKED: '3' }),
        TestApp.start({ KBA_ENABLED: 'false' }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([kbaFirst?.stop(), noKba?.stop()]);
    });

    const kindFor = async (app: TestApp, username: string) => {
      const r = await app.login(username);
      expect(r.status).toBe(202);
      return r.body.challenge.type as string;
    };

    it("the user's mfa_preference wins: totp and otp with preference 'otp' gets otp", async () => {
      const u = await t.createUser('adm', { totp: true, phone: phoneNo(), mfa_preference: 'otp' }, PASSWORD);
      expect(u.created.body.mfa_preference).toBe('otp');
      expect(await kindFor(t, u.username)).toBe('otp');
      const k = await t.createUser(
        'adm',
        { totp: true, phone: phoneNo(), kba: SANDBOX_KBA, mfa_preference: 'kba' },
        PASSWORD,
      );
      expect(await kindFor(t, k.username)).toBe('kba');
    });

    it('without a preference the default MFA_PRIORITY (totp, otp, kba) applies', async () => {
      expect(
        await kindFor(
          t,
          (await t.createUser('adm', { totp: true, phone: phoneNo(), kba: SANDBOX_KBA }, PASSWORD)).username,
        ),
      ).toBe('totp');
      expect(
        await kindFor(t, (await t.createUser('adm', { phone: phoneNo(), kba: SANDBOX_KBA }, PASSWORD)).username),
      ).toBe('otp');
      expect(await kindFor(t, (await t.createUser('adm', { totp: true, kba: SANDBOX_KBA }, PASSWORD)).username)).toBe(
        'totp',
      );
    });

    it('MFA_PRIORITY=kba,otp,totp changes the order; a preference still wins', async () => {
      expect(
        await kindFor(
          kbaFirst,
          (await kbaFirst.createUser('adm', { totp: true, phone: phoneNo(), kba: SANDBOX_KBA }, PASSWORD)).username,
        ),
      ).toBe('kba');
      expect(
        await kindFor(
          kbaFirst,
          (await kbaFirst.createUser('adm', { totp: true, phone: phoneNo() }, PASSWORD)).username,
        ),
      ).toBe('otp');
      expect(
        await kindFor(
          kbaFirst,
          (await kbaFirst.createUser('adm', { totp: true, kba: SANDBOX_KBA, mfa_preference: 'totp' }, PASSWORD))
            .username,
        ),
      ).toBe('totp');
    });

    it('KBA_ENABLED=false removes kba: a KBA-only user gets 200, a preference for kba falls back', async () => {
      const r = await noKba.login('user_kba');
      expect(r.status).toBe(200);
      expect(r.body.auth_token).toBeDefined();
      expect(
        await kindFor(
          noKba,
          (await noKba.createUser('adm', { phone: phoneNo(), kba: SANDBOX_KBA }, PASSWORD)).username,
        ),
      ).toBe('otp');
      expect(
        await kindFor(
          noKba,
          (await noKba.createUser('adm', { totp: true, kba: SANDBOX_KBA, mfa_preference: 'kba' }, PASSWORD)).username,
        ),
      ).toBe('totp');
    });

    it("KBA_QUESTIONS_ASKED=3 asks all three of user_kba's questions, and all three must be answered", async () => {
      const a = await kbaFirst.login('user_kba');
      expect(a.status).toBe(202);
      const qs = a.body.challenge.questions as { id: string; text: string }[];
      expect(qs.map((q) => q.text).sort()).toEqual(Object.keys(KBA_ANSWERS).sort());
      expect(new Set(qs.map((q) => q.id)).size).toBe(3);
      expectEnvelope(
        await kbaFirst.twoFactor(a.body.user_id, kbaFirst.kbaForm(a.body.challenge.id, qs.slice(0, 2))),
        400,
        'INVALID_REQUEST',
      );
      expect((await kbaFirst.twoFactor(a.body.user_id, kbaFirst.kbaForm(a.body.challenge.id, qs))).status).toBe(200);
    });
  });
});

describe('user search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a blank username is refused rather than read as "everyone"', async () => {
    expectEnvelope(await t.admin('GET', '/admin/users?username=%20%20'), 400, 'INVALID_REQUEST');
    expect((await t.admin('GET', '/admin/users?username=user_good')).body.users).toHaveLength(1);
  });
});
