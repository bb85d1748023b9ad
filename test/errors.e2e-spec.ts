import request from 'supertest';
import {
  CLIENT,
  KBA_ANSWERS,
  KEYS,
  PASSWORD,
  Res,
  TestApp,
  expectEnvelope,
  totpAt,
  wrongTotp,
} from './support/harness';

/** docs/api.md#requests-and-errors: every row of the error table, in the envelope and nothing else. */

const SANDBOX_KBA = Object.entries(KBA_ANSWERS).map(([question, answer]) => ({ question, answer }));
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
/** A user of its own (so lockout and TOTP replay of one test never touch another), made through the admin API. */
async function freshUser(app: TestApp, factors: Record<string, unknown> = {}) {
  const u = await app.createUser('err', factors, PASSWORD);
  return { ...u, secret: u.secret ?? '' };
}

/** A phone number no other test uses, so that the outbox can be read for it alone. */
/** An unknown username of its own: unknown usernames lock like known ones, so each test uses new ones. */
const nobody = () => `nobody_${++seq}`;

// Exchanges 2xx and up: a 1xx exchange is not a number libphonenumber-js accepts.
const freshPhone = () => `+1415${String(2_000_000 + ++seq * 7919).slice(-7)}`;

/** A POST on the public listener with full control of headers and body. */
async function raw(
  app: TestApp,
  path: string,
  body: string,
  contentType: string | null,
  opts: { headers?: Record<string, string>; version?: boolean } = {},
): Promise<Res> {
  let req = request(app.px.publicServer)
    .post(path)
    .set('Accept', 'application/json')
    .set('X-PLAID-CLIENT-ID', CLIENT.id)
    .set('X-PLAID-SECRET', CLIENT.secret);
  if (opts.version !== false) req = req.set('X-PLAID-VERSION', '2021-03-26');
  for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
  if (contentType) req = req.set('Content-Type', contentType);
  const r = await req.send(body);
  return { status: r.status, body: r.body, text: r.text, headers: r.headers };
}

async function outboxTo(app: TestApp, to: string): Promise<{ id: number; body: string }[]> {
  return (await app.admin('GET', `/admin/outbox?to=${encodeURIComponent(to)}`)).body.messages;
}

describe('errors: docs/api.md#requests-and-errors', () => {
  let t: TestApp; // the defaults
  let s: TestApp; // MFA_MAX_ATTEMPTS=2, OTP_TTL=1s, resends allowed at once
  let ttl: TestApp; // CHALLENGE_TTL=1s
  beforeAll(async () => {
    [t, s, ttl] = await Promise.all([
      TestApp.start(),
      TestApp.start({ MFA_MAX_ATTEMPTS: '2', OTP_TTL: '1s', OTP_RESEND_INTERVAL: '0s' }),
      TestApp.start({ CHALLENGE_TTL: '1s' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.stop(), s?.stop(), ttl?.stop()]);
  });

  describe('400 INVALID_REQUEST', () => {
    it('a missing field, naming it', async () => {
      const r = await t.plaid('/users/auth_token', { username: 'user_good' });
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/password/);
      const s = await t.plaid('/users/auth_token', { password: PASSWORD });
      expectEnvelope(s, 400, 'INVALID_REQUEST');
      expect(s.body.error.message).toMatch(/username/);
    });

    it('a field too long (username over 256 characters), naming it; 256 is still read', async () => {
      const r = await t.login('u'.repeat(257));
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/username/);
      expectEnvelope(await t.login('u'.repeat(256)), 401, 'INVALID_CREDENTIALS');
      const p = await t.login('user_good', 'p'.repeat(1025));
      expectEnvelope(p, 400, 'INVALID_REQUEST');
      expect(p.body.error.message).toMatch(/password/);
    });

    it('a content type other than form or JSON (text/plain)', async () => {
      const r = await raw(t, '/users/auth_token', 'username=user_good&password=pass_good', 'text/plain');
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/Content-Type/i);
      // the same body as a form is fine, so it is the type that was refused
      expect(
        (
          await raw(
            t,
            '/users/auth_token',
            'username=user_good&password=pass_good',
            'application/x-www-form-urlencoded',
          )
        ).status,
      ).toBe(200);
    });

    it('a body over 16 KiB, form or JSON', async () => {
      const big = 'x'.repeat(16 * 1024 + 1);
      expectEnvelope(
        await raw(
          t,
          '/users/auth_token',
          `username=user_good&password=pass_good&pad=${big}`,
          'application/x-www-form-urlencoded',
        ),
        400,
        'INVALID_REQUEST',
      );
      expectEnvelope(
        await raw(
          t,
          '/users/auth_token',
          JSON.stringify({ username: 'user_good', password: 'pass_good', pad: big }),
          'application/json',
        ),
        400,
        'INVALID_REQUEST',
      );
    });

    it('a repeated scalar field (username twice), naming it', async () => {
      const r = await raw(
        t,
        '/users/auth_token',
        'username=user_good&username=user_otp&password=pass_good',
        'application/x-www-form-urlencoded',
      );
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/username/);
    });

    it.each([
      ['form array', 'username[]=user_good&password=pass_good', 'application/x-www-form-urlencoded'],
      ['form object', 'username[a]=user_good&password=pass_good', 'application/x-www-form-urlencoded'],
      ['JSON array', JSON.stringify({ username: ['user_good'], password: 'pass_good' }), 'application/json'],
      ['JSON object', JSON.stringify({ username: { a: 'user_good' }, password: 'pass_good' }), 'application/json'],
      ['JSON number', JSON.stringify({ username: 42, password: 'pass_good' }), 'application/json'],
    ])('a %s where a string is expected, naming the field', async (_name, body, type) => {
      const r = await raw(t, '/users/auth_token', body, type);
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/username/);
    });

    it('over-deep nesting, form (a[b][c][d][e]=1) and JSON', async () => {
      expectEnvelope(
        await raw(
          t,
          '/users/auth_token',
          'username=user_good&password=pass_good&a[b][c][d][e]=1',
          'application/x-www-form-urlencoded',
        ),
        400,
        'INVALID_REQUEST',
      );
      const deep = JSON.stringify({ username: 'user_good', password: 'pass_good', a: { b: { c: { d: { e: 1 } } } } });
      expectEnvelope(await raw(t, '/users/auth_token', deep, 'application/json'), 400, 'INVALID_REQUEST');
    });

    it('invalid JSON', async () => {
      expectEnvelope(
        await raw(t, '/users/auth_token', '{"username":"user_good","password":', 'application/json'),
        400,
        'INVALID_REQUEST',
      );
      expectEnvelope(
        await raw(t, '/users/auth_token', '["user_good","pass_good"]', 'application/json'),
        400,
        'INVALID_REQUEST',
      );
    });

    it('KBA 2fa without an answer for a question asked, naming answers', async () => {
      const a = await t.login('user_kba');
      const [q0] = a.body.challenge.questions;
      const p = new URLSearchParams({
        challenge_id: a.body.challenge.id,
        'answers[0].question_id': q0.id,
        'answers[0].text': KBA_ANSWERS[q0.text],
      });
      const r = await t.twoFactor(a.body.user_id, p.toString());
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/answers/);
    });

    it('OTP and TOTP 2fa without a passcode, naming it', async () => {
      const { userId, challengeId, method } = await t.otpChallenge();
      expect((await t.sendOtp(userId, challengeId, method.id)).status).toBe(200);
      const r = await t.twoFactor(userId, { challenge_id: challengeId });
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/passcode/);
      const a = await t.login('user_totp');
      expectEnvelope(await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id }), 400, 'INVALID_REQUEST');
    });

    it('2fa without a challenge_id', async () => {
      const a = await t.login('user_totp');
      const r = await t.twoFactor(a.body.user_id, { passcode: '123456' });
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/challenge_id/);
    });

    it('malformed OTP 2fa (no passcode, passcode twice, as a list or object, too long) uses up no attempt', async () => {
      const phone = freshPhone();
      const u = await freshUser(t, { phone });
      const a = await t.login(u.username);
      const c = a.body.challenge;
      expect((await t.sendOtp(u.userId, c.id, c.send_methods[0].id)).status).toBe(200);
      const code = (await t.outboxCode(phone))!;
      const id = encodeURIComponent(c.id);
      const malformed = [
        `challenge_id=${id}`,
        `challenge_id=${id}&passcode=`,
        `challenge_id=${id}&passcode=111111&passcode=222222`,
        `challenge_id=${id}&passcode[]=111111`,
        `challenge_id=${id}&passcode[x]=111111`,
        `challenge_id=${id}&passcode=${'1'.repeat(65)}`,
      ];
      for (const body of malformed) expectEnvelope(await t.twoFactor(u.userId, body), 400, 'INVALID_REQUEST');
      expect((await t.admin('GET', `/admin/users/${u.userId}`)).body.lock).toMatchObject({
        locked: false,
        consecutive_failures: 0,
      });
      expect((await t.twoFactor(u.userId, { challenge_id: c.id, passcode: code })).status).toBe(200);
    });

    it('malformed KBA 2fa uses up no attempt and counts no failure', async () => {
      const u = await freshUser(t, { kba: SANDBOX_KBA });
      const a = await t.login(u.username);
      expect(a.status).toBe(202);
      const c = a.body.challenge;
      const [q0, q1] = c.questions;
      const one = (q: { id: string; text: string }, i = 0) => ({
        [`answers[${i}].question_id`]: q.id,
        [`answers[${i}].text`]: KBA_ANSWERS[q.text],
      });
      const malformed: Record<string, string>[] = [
        { challenge_id: c.id },
        { challenge_id: c.id, passcode: '123456' },
        { challenge_id: c.id, ...one(q0) },
        { challenge_id: c.id, ...one(q1) },
        { challenge_id: c.id, ...one(q0, 0), ...one(q0, 1) },
        { challenge_id: c.id, ...one(q1, 0), ...one(q1, 1) },
      ];
      // more malformed requests than MFA_MAX_ATTEMPTS (5) and LOCKOUT_THRESHOLD (5)
      for (const body of malformed) expectEnvelope(await t.twoFactor(u.userId, body), 400, 'INVALID_REQUEST');
      const view = await t.admin('GET', `/admin/users/${u.userId}`);
      expect(view.body.lock).toMatchObject({ locked: false, consecutive_failures: 0 });
      const r = await t.twoFactor(u.userId, t.kbaForm(c.id, c.questions));
      expect(r.status).toBe(200);
      expect(r.body.user_id).toBe(u.userId);
    });
  });

  describe('400 UNSUPPORTED_VERSION', () => {
    it('an unknown X-PLAID-VERSION is refused on every Plaid endpoint; absent is fine', async () => {
      const headers = { 'X-PLAID-VERSION': '2099-01-01' };
      expectEnvelope(
        await t.plaid('/users/auth_token', { username: 'user_good', password: PASSWORD }, { headers }),
        400,
        'UNSUPPORTED_VERSION',
      );
      const { userId, challengeId, method } = await t.otpChallenge();
      expectEnvelope(
        await t.plaid(
          `/users/${userId}/sendOtp`,
          { challenge_id: challengeId, send_method_id: method.id },
          { headers },
        ),
        400,
        'UNSUPPORTED_VERSION',
      );
      expectEnvelope(
        await t.plaid(`/users/${userId}/2fa`, { challenge_id: challengeId, passcode: '123456' }, { headers }),
        400,
        'UNSUPPORTED_VERSION',
      );
      // the refused sendOtp sent nothing: the challenge still has no code
      expectEnvelope(await t.twoFactor(userId, { challenge_id: challengeId, passcode: '123456' }), 400, 'OTP_NOT_SENT');

      const absent = await raw(
        t,
        '/users/auth_token',
        'username=user_good&password=pass_good',
        'application/x-www-form-urlencoded',
        { version: false },
      );
      expect(absent.status).toBe(200);
      expect(absent.body.auth_token).toBeDefined();
    });
  });

  describe('400 CHALLENGE_NOT_FOUND', () => {
    it('an unknown challenge id', async () => {
      const a = await t.login('user_totp');
      expectEnvelope(
        await t.twoFactor(a.body.user_id, { challenge_id: 'no-such-challenge', passcode: '123456' }),
        400,
        'CHALLENGE_NOT_FOUND',
      );
      const o = await t.otpChallenge();
      expectEnvelope(await t.sendOtp(o.userId, 'no-such-challenge', o.method.id), 400, 'CHALLENGE_NOT_FOUND');
    });

    it("another user's challenge, and the owner's challenge still works afterwards", async () => {
      const o = await t.otpChallenge();
      const other = await t.userIdOf('user_good');
      expectEnvelope(await t.sendOtp(other, o.challengeId, o.method.id), 400, 'CHALLENGE_NOT_FOUND');
      expectEnvelope(
        await t.twoFactor(other, { challenge_id: o.challengeId, passcode: '123456' }),
        400,
        'CHALLENGE_NOT_FOUND',
      );
      expectEnvelope(await t.sendOtp('not-a-user', o.challengeId, o.method.id), 400, 'CHALLENGE_NOT_FOUND');
      expect((await t.sendOtp(o.userId, o.challengeId, o.method.id)).status).toBe(200);
      const code = await t.outboxCode('+14155550123');
      expect((await t.twoFactor(o.userId, { challenge_id: o.challengeId, passcode: code! })).status).toBe(200);
    });

    it('the wrong kind for the endpoint: sendOtp on a TOTP or KBA challenge', async () => {
      const a = await t.login('user_totp');
      expect(a.body.challenge.type).toBe('totp');
      const smsId = (await t.otpChallenge()).method.id;
      expectEnvelope(await t.sendOtp(a.body.user_id, a.body.challenge.id, smsId), 400, 'CHALLENGE_NOT_FOUND');
      const k = await t.login('user_kba');
      expectEnvelope(await t.sendOtp(k.body.user_id, k.body.challenge.id, smsId), 400, 'CHALLENGE_NOT_FOUND');
    });
  });

  describe('400 CHALLENGE_EXPIRED', () => {
    it('already used: a spent TOTP challenge, and a spent OTP challenge for sendOtp too', async () => {
      const u = await freshUser(t, { totp: true });
      const a = await t.login(u.username);
      const code = totpAt(u.secret);
      expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code })).status).toBe(200);
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code }),
        400,
        'CHALLENGE_EXPIRED',
      );

      const o = await t.otpChallenge();
      await t.sendOtp(o.userId, o.challengeId, o.method.id);
      const otp = await t.outboxCode('+14155550123');
      expect((await t.twoFactor(o.userId, { challenge_id: o.challengeId, passcode: otp! })).status).toBe(200);
      expectEnvelope(await t.sendOtp(o.userId, o.challengeId, o.method.id), 400, 'CHALLENGE_EXPIRED');
    });

    it('out of MFA_MAX_ATTEMPTS: even the right code is refused, and a new login gets a new challenge', async () => {
      const u = await freshUser(s, { totp: true });
      const a = await s.login(u.username);
      for (let i = 0; i < 2; i++)
        expectEnvelope(
          await s.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrongTotp(u.secret) }),
          401,
          'INVALID_MFA',
        );
      expectEnvelope(
        await s.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret) }),
        400,
        'CHALLENGE_EXPIRED',
      );
      const b = await s.login(u.username);
      expect(b.status).toBe(202);
      expect(
        (await s.twoFactor(u.userId, { challenge_id: b.body.challenge.id, passcode: totpAt(u.secret) })).status,
      ).toBe(200);
    });

    it('past CHALLENGE_TTL, for 2fa and sendOtp', async () => {
      const u = await freshUser(ttl, { totp: true });
      const a = await ttl.login(u.username);
      const o = await ttl.otpChallenge();
      await sleep(1500);
      expectEnvelope(
        await ttl.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret) }),
        400,
        'CHALLENGE_EXPIRED',
      );
      expectEnvelope(await ttl.sendOtp(o.userId, o.challengeId, o.method.id), 400, 'CHALLENGE_EXPIRED');
      expect(await outboxTo(ttl, '+14155550123')).toEqual([]);
    });

    it('an OTP code past OTP_TTL, while a fresh code for the same challenge still works', async () => {
      const phone = freshPhone();
      const u = await freshUser(s, { phone });
      const a = await s.login(u.username);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      expect((await s.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      const old = await s.outboxCode(phone);
      await sleep(1500);
      expectEnvelope(
        await s.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: old! }),
        400,
        'CHALLENGE_EXPIRED',
      );
      expect((await s.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      const fresh = await s.outboxCode(phone);
      expect((await s.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: fresh! })).status).toBe(200);
    });
  });

  describe('400 INVALID_SEND_METHOD', () => {
    it('a send_method_id not offered in that challenge sends nothing', async () => {
      const phone = freshPhone();
      const other = await freshUser(t, { phone });
      const theirs = (await t.login(other.username)).body.challenge.send_methods[0].id;
      const u = await freshUser(t, { phone: freshPhone(), email: `${other.username}@example.com` });
      const a = await t.login(u.username);
      expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, 'nope'), 400, 'INVALID_SEND_METHOD');
      expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, theirs), 400, 'INVALID_SEND_METHOD');
      expect(await outboxTo(t, phone)).toEqual([]);
      // the challenge is unharmed: an offered method still sends
      expect((await t.sendOtp(u.userId, a.body.challenge.id, a.body.challenge.send_methods[0].id)).status).toBe(200);
    });
  });

  describe('400 OTP_NOT_SENT', () => {
    it('2fa on an OTP challenge before any sendOtp; after a send the code works', async () => {
      const phone = freshPhone();
      const u = await freshUser(t, { phone });
      const a = await t.login(u.username);
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: '123456' }),
        400,
        'OTP_NOT_SENT',
      );
      await t.sendOtp(u.userId, a.body.challenge.id, a.body.challenge.send_methods[0].id);
      const code = await t.outboxCode(phone);
      expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code! })).status).toBe(200);
    });
  });

  describe('400 SEND_LIMIT_REACHED', () => {
    it('too soon after the last send (default OTP_RESEND_INTERVAL): nothing is written to the outbox, the earlier code stays good', async () => {
      const phone = freshPhone();
      const u = await freshUser(t, { phone });
      const a = await t.login(u.username);
      const [sms, voice] = a.body.challenge.send_methods;
      expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      expect(await outboxTo(t, phone)).toHaveLength(1);
      const code = await t.outboxCode(phone);
      expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, sms.id), 400, 'SEND_LIMIT_REACHED');
      expectEnvelope(await t.sendOtp(u.userId, a.body.challenge.id, voice.id), 400, 'SEND_LIMIT_REACHED');
      expect(await outboxTo(t, phone)).toHaveLength(1);
      expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code! })).status).toBe(200);
    });

    it('more than OTP_MAX_SENDS (3) sends with OTP_RESEND_INTERVAL=0s: the fourth is refused and writes nothing', async () => {
      const phone = freshPhone();
      const u = await freshUser(s, { phone });
      const a = await s.login(u.username);
      const sms = a.body.challenge.send_methods[0];
      for (let i = 0; i < 3; i++) expect((await s.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
      const before = await outboxTo(s, phone);
      expect(before).toHaveLength(3);
      expectEnvelope(await s.sendOtp(u.userId, a.body.challenge.id, sms.id), 400, 'SEND_LIMIT_REACHED');
      expect(await outboxTo(s, phone)).toEqual(before);
    });
  });

  describe('401 INVALID_CLIENT', () => {
    it('missing headers, a wrong secret, an unknown client id: the same body apart from request_id, on every Plaid endpoint', async () => {
      const body = { username: 'user_good', password: PASSWORD };
      const missing = await t.plaid('/users/auth_token', body, { client: null });
      const wrongSecret = await t.plaid('/users/auth_token', body, {
        client: { id: CLIENT.id, secret: 'not-the-secret' },
      });
      const unknown = await t.plaid('/users/auth_token', body, {
        client: { id: 'no-such-client', secret: CLIENT.secret },
      });
      const idOnly = await raw(
        t,
        '/users/auth_token',
        'username=user_good&password=pass_good',
        'application/x-www-form-urlencoded',
        { headers: { 'X-PLAID-SECRET': '' } },
      );
      const all = [missing, wrongSecret, unknown, idOnly];
      for (const r of all) expectEnvelope(r, 401, 'INVALID_CLIENT');
      for (const r of all) expect(r.body.error).toEqual(missing.body.error);
      expect(new Set(all.map((r) => r.body.request_id)).size).toBe(all.length);

      const o = await t.otpChallenge();
      expectEnvelope(
        await t.plaid(
          `/users/${o.userId}/sendOtp`,
          { challenge_id: o.challengeId, send_method_id: o.method.id },
          { client: null },
        ),
        401,
        'INVALID_CLIENT',
      );
      expectEnvelope(
        await t.plaid(
          `/users/${o.userId}/2fa`,
          { challenge_id: o.challengeId, passcode: '123456' },
          { client: { id: CLIENT.id, secret: 'x' } },
        ),
        401,
        'INVALID_CLIENT',
      );
      // the refused sendOtp sent nothing
      expectEnvelope(
        await t.twoFactor(o.userId, { challenge_id: o.challengeId, passcode: '123456' }),
        400,
        'OTP_NOT_SENT',
      );
    });
  });

  describe('401 INVALID_CREDENTIALS', () => {
    it('a wrong password and an unknown username get the same body', async () => {
      const u = await freshUser(t);
      const wrong = await t.login(u.username, 'not-the-password');
      const unknown = await t.login(`nobody_${u.username}`, PASSWORD);
      expectEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
      expectEnvelope(unknown, 401, 'INVALID_CREDENTIALS');
      expect(wrong.body.error).toEqual(unknown.body.error);
      expectEnvelope(await t.login(u.username, PASSWORD.toUpperCase()), 401, 'INVALID_CREDENTIALS');
      expect((await t.login(u.username)).status).toBe(200);
    });
  });

  describe('401 INVALID_MFA', () => {
    it('a wrong TOTP code; the challenge then still takes the right one', async () => {
      const u = await freshUser(t, { totp: true });
      const a = await t.login(u.username);
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrongTotp(u.secret) }),
        401,
        'INVALID_MFA',
      );
      expect(
        (await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret) })).status,
      ).toBe(200);
    });

    it('a wrong OTP passcode', async () => {
      const phone = freshPhone();
      const u = await freshUser(t, { phone });
      const a = await t.login(u.username);
      await t.sendOtp(u.userId, a.body.challenge.id, a.body.challenge.send_methods[0].id);
      const code = (await t.outboxCode(phone))!;
      const wrong = code === '000000' ? '111111' : '000000';
      expectEnvelope(
        await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: wrong }),
        401,
        'INVALID_MFA',
      );
      expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code })).status).toBe(200);
    });

    it('wrong KBA answers', async () => {
      const u = await freshUser(t, { kba: SANDBOX_KBA });
      const a = await t.login(u.username);
      expectEnvelope(
        await t.twoFactor(u.userId, t.kbaForm(a.body.challenge.id, a.body.challenge.questions, true)),
        401,
        'INVALID_MFA',
      );
      expect((await t.twoFactor(u.userId, t.kbaForm(a.body.challenge.id, a.body.challenge.questions))).status).toBe(
        200,
      );
    });
  });

  describe('403 ACCOUNT_LOCKED', () => {
    it('a locked account gets 403 whatever the password', async () => {
      expectEnvelope(await t.login('user_locked'), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.login('user_locked', 'wrong'), 403, 'ACCOUNT_LOCKED');
    });

    it('five wrong passwords lock: the sixth try, with the right password, is 403', async () => {
      const u = await freshUser(t);
      for (let i = 0; i < 5; i++) expectEnvelope(await t.login(u.username, `wrong-${i}`), 401, 'INVALID_CREDENTIALS');
      expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');
      expect((await t.admin('GET', `/admin/users/${u.userId}`)).body.lock.locked).toBe(true);
    });

    it('wrong passcodes count too: 403 on 2fa, sendOtp and login once locked', async () => {
      const phone = freshPhone();
      const u = await freshUser(t, { phone });
      const a = await t.login(u.username);
      const c = a.body.challenge;
      await t.sendOtp(u.userId, c.id, c.send_methods[0].id);
      const code = (await t.outboxCode(phone))!;
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++)
        expectEnvelope(await t.twoFactor(u.userId, { challenge_id: c.id, passcode: wrong }), 401, 'INVALID_MFA');
      expectEnvelope(await t.twoFactor(u.userId, { challenge_id: c.id, passcode: code }), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.sendOtp(u.userId, c.id, c.send_methods[1].id), 403, 'ACCOUNT_LOCKED');
      expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');
      expect(await outboxTo(t, phone)).toHaveLength(1);
    });
  });

  describe('405 TERMS_NOT_ACCEPTED', () => {
    it('the right password with terms pending; a wrong password is still 401', async () => {
      expectEnvelope(await t.login('user_terms'), 405, 'TERMS_NOT_ACCEPTED');
      expectEnvelope(await t.login('user_terms', 'wrong'), 401, 'INVALID_CREDENTIALS');
      const u = await freshUser(t, { terms_accepted_version: 0, totp: true });
      expectEnvelope(await t.login(u.username), 405, 'TERMS_NOT_ACCEPTED');
    });
  });

  describe('503 SERVICE_UNAVAILABLE (maintenance)', () => {
    it('on auth_token, sendOtp and 2fa with retry_at and Retry-After; back to normal when switched off', async () => {
      const o = await t.otpChallenge();
      const k = await t.login('user_kba');
      const retryAt = new Date(Date.now() + 3_600_000);
      retryAt.setUTCMilliseconds(0);
      const on = await t.admin('PUT', '/admin/maintenance', { enabled: true, retry_at: retryAt.toISOString() });
      expect(on.status).toBe(200);
      try {
        const calls = [
          await t.login('user_good'),
          await t.sendOtp(o.userId, o.challengeId, o.method.id),
          await t.twoFactor(k.body.user_id, t.kbaForm(k.body.challenge.id, k.body.challenge.questions)),
        ];
        for (const r of calls) {
          expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
          expect(r.body.error.retry_at).toMatch(RFC3339_UTC);
          expect(Date.parse(r.body.error.retry_at)).toBe(retryAt.getTime());
          expect(r.headers['retry-after']).toMatch(/^\d+$/);
          const seconds = Number(r.headers['retry-after']);
          expect(Math.abs(seconds - (retryAt.getTime() - Date.now()) / 1000)).toBeLessThan(120);
        }
      } finally {
        expect((await t.admin('PUT', '/admin/maintenance', { enabled: false })).status).toBe(200);
      }
      expect((await t.login('user_good')).status).toBe(200);
      expect((await t.sendOtp(o.userId, o.challengeId, o.method.id)).status).toBe(200);
      expect(
        (await t.twoFactor(k.body.user_id, t.kbaForm(k.body.challenge.id, k.body.challenge.questions))).status,
      ).toBe(200);
    });

    it('maintenance comes first: a locked user and an unknown one get 503 too; a retry_at given with an offset is answered in UTC', async () => {
      await t.admin('PUT', '/admin/maintenance', { enabled: true, retry_at: '2031-06-01T12:00:00+02:00' });
      try {
        for (const r of [await t.login('user_locked'), await t.login(nobody(), 'x')]) {
          expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
          expect(r.body.error.retry_at).toMatch(RFC3339_UTC);
          expect(Date.parse(r.body.error.retry_at)).toBe(Date.parse('2031-06-01T10:00:00Z'));
        }
      } finally {
        await t.admin('PUT', '/admin/maintenance', { enabled: false });
      }
      expectEnvelope(await t.login('user_locked'), 403, 'ACCOUNT_LOCKED');
    });

    it('without a retry_at, a future one is still given', async () => {
      await t.admin('PUT', '/admin/maintenance', { enabled: true });
      try {
        const r = await t.login('user_good');
        expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
        expect(r.body.error.retry_at).toMatch(RFC3339_UTC);
        expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(Date.now());
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await t.admin('PUT', '/admin/maintenance', { enabled: false });
      }
      expect((await t.login('user_good')).status).toBe(200);
    });
  });

  describe('request_id', () => {
    it('echoes a well-formed X-Request-Id (up to 128 characters), on errors and successes alike', async () => {
      const id = 'req-A.b_9';
      const e = await t.login(nobody(), 'x', {}, { 'X-Request-Id': id });
      expectEnvelope(e, 401, 'INVALID_CREDENTIALS');
      expect(e.body.request_id).toBe(id);
      const ok = await t.login('user_good', PASSWORD, {}, { 'X-Request-Id': id });
      expect(ok.status).toBe(200);
      expect(ok.headers['x-request-id']).toBe(id);
      const long = 'a'.repeat(128);
      expect((await t.login(nobody(), 'x', {}, { 'X-Request-Id': long })).body.request_id).toBe(long);
    });

    it.each([
      ['200 characters', 'a'.repeat(200)],
      ['129 characters', 'a'.repeat(129)],
      ['spaces', 'has spaces in it'],
      ['other punctuation', 'id;drop/table'],
    ])('replaces a malformed one (%s) with a new one', async (_name, bad) => {
      const r = await t.login(nobody(), 'x', {}, { 'X-Request-Id': bad });
      expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
      expect(r.body.request_id).not.toBe(bad);
      expect(r.body.request_id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    });

    it('a new one per request when none is sent', async () => {
      const a = await t.login(nobody(), 'x');
      const b = await t.login(nobody(), 'x');
      expectEnvelope(a, 401, 'INVALID_CREDENTIALS');
      expect(a.body.request_id).not.toBe(b.body.request_id);
    });
  });

  describe('404 NOT_FOUND and the two listeners', () => {
    it('nothing of the internal listener answers on the public one', async () => {
      const pub = request(t.px.publicServer);
      const r1 = await pub.get('/admin/users').set('Authorization', `Bearer ${KEYS.admin}`);
      const r2 = await pub.post('/tokens/introspect').set('Authorization', `Bearer ${KEYS.rs}`).send({ token: 'x' });
      for (const r of [r1, r2])
        expectEnvelope({ status: r.status, body: r.body, text: r.text, headers: r.headers }, 404, 'NOT_FOUND');
    });

    it("Plaid's /users/* endpoints give 404 on the internal listener", async () => {
      const int = request(t.px.internalServer);
      const o = await t.otpChallenge();
      const paths = ['/users/auth_token', `/users/${o.userId}/sendOtp`, `/users/${o.userId}/2fa`];
      for (const path of paths) {
        const r = await int
          .post(path)
          .set('X-PLAID-CLIENT-ID', CLIENT.id)
          .set('X-PLAID-SECRET', CLIENT.secret)
          .type('form')
          .send({
            username: 'user_good',
            password: PASSWORD,
            challenge_id: o.challengeId,
            send_method_id: o.method.id,
          });
        expectEnvelope({ status: r.status, body: r.body, text: r.text, headers: r.headers }, 404, 'NOT_FOUND');
      }
      // the sendOtp refused there sent nothing
      expectEnvelope(
        await t.twoFactor(o.userId, { challenge_id: o.challengeId, passcode: '123456' }),
        400,
        'OTP_NOT_SENT',
      );
    });

    it('unknown routes give 404 in the envelope on both listeners', async () => {
      const res = (r: request.Response): Res => ({
        status: r.status,
        body: r.body,
        text: r.text,
        headers: r.headers,
      });
      expectEnvelope(res(await request(t.px.publicServer).get('/no/such/route')), 404, 'NOT_FOUND');
      expectEnvelope(
        await t.plaid('/users/auth_token/extra', { username: 'user_good', password: PASSWORD }),
        404,
        'NOT_FOUND',
      );
      expectEnvelope(
        res(await request(t.px.internalServer).get('/no/such/route').set('Authorization', `Bearer ${KEYS.admin}`)),
        404,
        'NOT_FOUND',
      );
    });
  });
});
