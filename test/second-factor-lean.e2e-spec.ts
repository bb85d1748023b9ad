import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LeanRoute } from '@/edge/lean-routes';
import { SendOtpFastPath, TwoFactorFastPath } from '@/edge/second-factor.fast-paths';
import { CLIENT, KEYS, TestApp, expectEnvelope } from './support/harness';
import { leanAnswers, requestsCounted } from './support/lean-routes';
import { storedRows } from './support/stored';

/**
 * POST /users/:user_id/sendOtp and /users/:user_id/2fa answer their plain case before Express and Nest
 * (src/edge/second-factor.fast-paths.ts): the refusals Plaid asks again most (an unknown challenge, an
 * unknown user_id) among them. What Plaid sees must not change: the same statuses, bodies and headers as
 * the full pipeline (docs/api.md#post-usersuser_idsendotp, docs/api.md#post-usersuser_id2fa), the same
 * audit rows and lockout counts, and every request that is not plain (an odd user_id, a huge body, another
 * content type, odd Unicode, KBA answers) answered by the pipeline as before.
 */

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string };
type Route = abstract new (...args: never[]) => LeanRoute;

const PLAID = {
  'Content-Type': 'application/x-www-form-urlencoded',
  'X-PLAID-CLIENT-ID': CLIENT.id,
  'X-PLAID-SECRET': CLIENT.secret,
};
let seq = 0;
const phoneNo = () => `+1415${String(5_000_000 + ++seq * 7919 + Math.floor(Math.random() * 5000)).slice(-7)}`;
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const UNKNOWN_CHALLENGE = 'c'.repeat(43);

/** A raw POST on the public listener; chunked (no Content-Length) always goes to the full pipeline. */
function raw(t: TestApp, path: string, body: string, headers: Record<string, string> = {}, chunked = false) {
  const { port } = t.px.publicServer.address() as AddressInfo;
  return new Promise<Answer>((resolve, reject) => {
    const h: Record<string, string> = { ...PLAID, ...headers };
    if (!chunked) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: h }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.write(body);
    req.end();
  });
}

/** The same request on both paths: [lean, full]; the lean route answered the first and never saw the second. */
async function both(t: TestApp, route: Route, path: string, body: string, headers: Record<string, string> = {}) {
  let lean!: Answer;
  let full!: Answer;
  expect(await leanAnswers(t, route, async () => (lean = await raw(t, path, body, headers)))).toEqual([true]);
  expect(await leanAnswers(t, route, async () => (full = await raw(t, path, body, headers, true)))).toEqual([]);
  return [lean, full] as const;
}

/** What must be equal: the status, the body but its ids and token, and the headers that matter. */
function seen(a: Answer): unknown {
  const body = a.text.replace(/"(auth_token|request_id|user_id)":"[^"]+"/g, '"$1":"…"');
  const headers = ['content-type', 'content-length', 'retry-after', 'www-authenticate', 'connection'].map((h) =>
    h === 'content-length' && a.headers['content-type'] ? 'json' : a.headers[h],
  );
  return { status: a.status, body, headers, requestId: typeof a.headers['x-request-id'] };
}

/** The audit rows one answer wrote, by its request id, as the columns a support agent reads. */
async function auditOf(t: TestApp, a: Answer) {
  const rows = await storedRows<Record<string, any>>(
    t,
    'SELECT type, outcome, user_id, client_id, source_ip, detail FROM audit_event WHERE request_id = ? ORDER BY id',
    [a.headers['x-request-id']],
  );
  return rows.map((r): Record<string, any> => ({ ...r, detail: JSON.parse(String(r.detail)) as unknown }));
}

const counters = async (t: TestApp, userId: string, challengeId: string) => ({
  user: await storedRows(t, 'SELECT failures, in_flight, lock_count FROM users WHERE id = ?', [userId]),
  challenge: (await storedRows(t, 'SELECT attempts, sends, state FROM challenge WHERE id = ?', [challengeId])).map(
    (r) => ({ attempts: Number(r.attempts), sends: Number(r.sends), state: r.state }),
  ),
});

describe('sendOtp and 2fa on their lean paths', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t?.stop());

  /** An OTP user of its own, logged in to its 202 challenge, the sms method chosen. */
  async function otpUser() {
    const phone = phoneNo();
    const u = await t.createUser('lean2f', { phone });
    const a = await t.login(u.username, u.password);
    expect(a.status).toBe(202);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms') as { id: string };
    return { ...u, phone, challengeId: a.body.challenge.id as string, methodId: sms.id };
  }

  it.each([
    ['sendOtp, an unknown challenge', SendOtpFastPath, 'sendOtp', true],
    ['sendOtp, an unknown user_id', SendOtpFastPath, 'sendOtp', false],
    ['2fa, an unknown challenge', TwoFactorFastPath, '2fa', true],
    ['2fa, an unknown user_id', TwoFactorFastPath, '2fa', false],
  ] as const)(
    '%s: 400 CHALLENGE_NOT_FOUND, the same answer and audit row on both paths',
    async (_n, route, step, known) => {
      const userId = known ? await t.userIdOf('user_good') : 'nobody-at-all';
      const fields: Record<string, string> =
        step === 'sendOtp'
          ? { challenge_id: UNKNOWN_CHALLENGE, send_method_id: 'sms-0' }
          : { challenge_id: UNKNOWN_CHALLENGE, passcode: '123456' };
      const [lean, full] = await both(t, route, `/users/${userId}/${step}`, form(fields));
      expectEnvelope(lean as never, 400, 'CHALLENGE_NOT_FOUND');
      expect(seen(lean)).toEqual(seen(full));
      const [leanRows, fullRows] = [await auditOf(t, lean), await auditOf(t, full)];
      expect(leanRows).toHaveLength(1);
      expect(leanRows).toEqual(fullRows);
      expect(leanRows[0]).toMatchObject({
        type: step === 'sendOtp' ? 'otp_send' : '2fa',
        outcome: 'challenge_not_found',
        user_id: known ? userId : null,
        client_id: CLIENT.id,
      });
    },
  );

  /** sendOtp of `u` on the lean path (`chunked` false) or the full one, and which path answered. */
  async function sendOtp(u: Awaited<ReturnType<typeof otpUser>>, chunked: boolean): Promise<Answer> {
    let a!: Answer;
    const body = form({ challenge_id: u.challengeId, send_method_id: u.methodId });
    const answered = await leanAnswers(t, SendOtpFastPath, async () => {
      a = await raw(t, `/users/${u.userId}/sendOtp`, body, {}, chunked);
    });
    expect(answered).toEqual(chunked ? [] : [true]);
    return a;
  }

  it('sendOtp that sends, then again at once: the same answers, counts and audit rows on both paths', async () => {
    const [a, b] = [await otpUser(), await otpUser()];
    const [lean, full] = [await sendOtp(a, false), await sendOtp(b, true)];
    // 200 with no body, as Nest answers a handler that returns nothing.
    expect([lean.status, lean.text, lean.headers['content-type'], lean.headers['content-length']]).toEqual([
      200,
      '',
      undefined,
      '0',
    ]);
    expect(seen(lean)).toEqual(seen(full));
    expect(await t.outboxCode(a.phone)).toMatch(/^\d{6}$/);
    expect(await t.outboxCode(b.phone)).toMatch(/^\d{6}$/);
    const [leanAgain, fullAgain] = [await sendOtp(a, false), await sendOtp(b, true)];
    expect(leanAgain.status).toBeGreaterThanOrEqual(400);
    expect(seen(leanAgain)).toEqual(seen(fullAgain));
    // Two users and two challenges: their ids differ, nothing else may.
    const strip = (rows: Record<string, any>[]) =>
      rows.map((r) => ({ ...r, user_id: typeof r.user_id, detail: { ...r.detail, challenge_id: '…' } }));
    for (const [x, y] of [
      [lean, full],
      [leanAgain, fullAgain],
    ])
      expect(strip(await auditOf(t, x))).toEqual(strip(await auditOf(t, y)));
    expect((await counters(t, a.userId, a.challengeId)).challenge).toEqual(
      (await counters(t, b.userId, b.challengeId)).challenge,
    );
  });

  it('2fa, a wrong passcode then the right one: 401 INVALID_MFA and 200 alike, the same failures counted', async () => {
    const [a, b] = [await otpUser(), await otpUser()];
    await sendOtp(a, false);
    await sendOtp(b, true);
    const code = { [a.userId]: (await t.outboxCode(a.phone))!, [b.userId]: (await t.outboxCode(b.phone))! };
    const wrong = (c: string) => (c === '000000' ? '111111' : '000000');
    const answer = async (u: typeof a, chunked: boolean, passcode: string) => {
      let r!: Answer;
      const answered = await leanAnswers(t, TwoFactorFastPath, async () => {
        r = await raw(t, `/users/${u.userId}/2fa`, form({ challenge_id: u.challengeId, passcode }), {}, chunked);
      });
      expect(answered).toEqual(chunked ? [] : [true]);
      return r;
    };
    const [leanWrong, fullWrong] = [
      await answer(a, false, wrong(code[a.userId])),
      await answer(b, true, wrong(code[b.userId])),
    ];
    expectEnvelope(leanWrong as never, 401, 'INVALID_MFA');
    expect(seen(leanWrong)).toEqual(seen(fullWrong));
    const [ca, cb] = [await counters(t, a.userId, a.challengeId), await counters(t, b.userId, b.challengeId)];
    expect(ca).toEqual(cb);
    expect(Number(ca.user[0].failures)).toBe(1);
    expect(ca.challenge[0].attempts).toBe(1);
    const [leanRight, fullRight] = [await answer(a, false, code[a.userId]), await answer(b, true, code[b.userId])];
    expect(leanRight.status).toBe(200);
    expect(Object.keys(leanRight.body).sort()).toEqual(['auth_token', 'user_id']);
    expect(leanRight.body.user_id).toBe(a.userId);
    expect(seen(leanRight)).toEqual(seen(fullRight));
    expect(await counters(t, a.userId, a.challengeId)).toEqual(await counters(t, b.userId, b.challengeId));
    const types = async (x: Answer) => (await auditOf(t, x)).map((r) => [r.type, r.outcome]);
    expect(await types(leanWrong)).toEqual(await types(fullWrong));
    expect(await types(leanRight)).toEqual(await types(fullRight));
    const intro = await t.admin('POST', '/tokens/introspect', { token: leanRight.body.auth_token }, KEYS.rs);
    expect([intro.status, intro.body.active]).toEqual([200, true]);
  });

  it.each([
    ['a wrong partner secret', { 'X-PLAID-SECRET': 'not-the-secret' }, 401, 'INVALID_CLIENT'],
    ['an unknown Plaid client', { 'X-PLAID-CLIENT-ID': 'not-a-client' }, 401, 'INVALID_CLIENT'],
    ['an unsupported X-PLAID-VERSION', { 'X-PLAID-VERSION': '1999-01-01' }, 400, 'UNSUPPORTED_VERSION'],
  ])('%s: PartnerGuard refuses on both paths, in the same envelope, and nothing is audited', async (_n, h, st, id) => {
    const userId = await t.userIdOf('user_good');
    for (const [route, step, fields] of [
      [SendOtpFastPath, 'sendOtp', { challenge_id: UNKNOWN_CHALLENGE, send_method_id: 'sms-0' }],
      [TwoFactorFastPath, '2fa', { challenge_id: UNKNOWN_CHALLENGE, passcode: '123456' }],
    ] as const) {
      const [lean, full] = await both(t, route, `/users/${userId}/${step}`, form(fields), h);
      expectEnvelope(lean as never, st, id);
      expect(seen(lean)).toEqual(seen(full));
      expect(await auditOf(t, lean)).toEqual(await auditOf(t, full));
    }
  });

  it('is counted in /metrics by its route pattern, as the pipeline counts it', async () => {
    const before = await requestsCounted(t, '/users/:user_id/sendOtp', 400);
    await both(t, SendOtpFastPath, '/users/nobody/sendOtp', form({ challenge_id: 'x', send_method_id: 'y' }));
    expect(await requestsCounted(t, '/users/:user_id/sendOtp', 400)).toBe(before + 2);
  });

  const HUGE = 'a'.repeat(17 * 1024);
  it.each([
    ['a user_id %00', '/users/%00/sendOtp', form({ challenge_id: 'x', send_method_id: 'y' }), {}],
    ['a user_id with a C1 control (%C2%85)', '/users/u%C2%85/2fa', form({ challenge_id: 'x', passcode: '1' }), {}],
    [
      'a user_id not UTF-8 (%ED%A0%80)',
      '/users/%ED%A0%80/sendOtp',
      form({ challenge_id: 'x', send_method_id: 'y' }),
      {},
    ],
    ['a user_id of 200 characters', `/users/${'u'.repeat(200)}/2fa`, form({ challenge_id: 'x', passcode: '1' }), {}],
    ['a query string', '/users/nobody/sendOtp?x=1', form({ challenge_id: 'x', send_method_id: 'y' }), {}],
    ['another case', '/USERS/nobody/SENDOTP', form({ challenge_id: 'x', send_method_id: 'y' }), {}],
    ['a body over 16 KiB', '/users/nobody/sendOtp', form({ challenge_id: HUGE, send_method_id: 'y' }), {}],
    ['text/plain', '/users/nobody/2fa', 'challenge_id=x&passcode=1', { 'Content-Type': 'text/plain' }],
    [
      'a challenge_id of 65 characters',
      '/users/nobody/sendOtp',
      form({ challenge_id: 'c'.repeat(65), send_method_id: 'y' }),
      {},
    ],
    ['an emoji challenge_id', '/users/nobody/2fa', form({ challenge_id: '\u{1F600}', passcode: '1' }), {}],
    [
      'a lone surrogate (JSON)',
      '/users/nobody/2fa',
      '{"challenge_id":"\\ud800","passcode":"1"}',
      { 'Content-Type': 'application/json' },
    ],
    [
      'a NUL in the passcode (JSON)',
      '/users/nobody/2fa',
      '{"challenge_id":"x","passcode":"\\u0000"}',
      { 'Content-Type': 'application/json' },
    ],
    [
      'a number for a string (JSON)',
      '/users/nobody/sendOtp',
      '{"challenge_id":1,"send_method_id":"y"}',
      { 'Content-Type': 'application/json' },
    ],
    ['an unknown field', '/users/nobody/sendOtp', form({ challenge_id: 'x', send_method_id: 'y', extra: 'z' }), {}],
    ['a repeated field', '/users/nobody/2fa', 'challenge_id=x&challenge_id=y&passcode=1', {}],
    ['KBA answers', '/users/nobody/2fa', 'challenge_id=x&answers[0].question_id=q&answers[0].text=t', {}],
    ['no challenge_id', '/users/nobody/sendOtp', form({ send_method_id: 'y' }), {}],
  ])('%s: the lean routes hand it to the pipeline, which answers as without them', async (_n, path, body, h) => {
    let lean!: Answer;
    const answered = [
      ...(await leanAnswers(t, SendOtpFastPath, async () => {
        const inner = await leanAnswers(t, TwoFactorFastPath, async () => (lean = await raw(t, path, body, h)));
        expect(inner).not.toContain(true);
      })),
    ];
    expect(answered).not.toContain(true);
    const full = await raw(t, path, body, h, true);
    expect(lean.status).toBeGreaterThanOrEqual(400);
    expect(lean.status).toBeLessThan(500);
    expect(seen(lean)).toEqual(seen(full));
  });
});
