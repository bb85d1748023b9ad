import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { LoginFastPath } from '@/edge/login.fast-path';
import { CLIENT, PASSWORD, TestApp, expectEnvelope } from './support/harness';
import { leanAnswers, requestsCounted } from './support/lean-routes';

/**
 * POST /users/auth_token answers its plain case before Express and Nest
 * (src/edge/login.fast-path.ts). What Plaid sees must not change: the same statuses, bodies and headers as
 * the full pipeline for every outcome, the same audit rows, throttle counters shared with the full
 * path, every request whose body is not plain answered by the pipeline as before, the answer counted in
 * /metrics and every line logged while serving it carrying its request id.
 */

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: any; text: string };

const PLAID = {
  'Content-Type': 'application/x-www-form-urlencoded',
  'X-PLAID-CLIENT-ID': CLIENT.id,
  'X-PLAID-SECRET': CLIENT.secret,
};

/** A raw POST /users/auth_token on the public listener; chunked (no Content-Length) goes to the full pipeline. */
function raw(t: TestApp, body: string, headers: Record<string, string> = {}, chunked = false): Promise<Answer> {
  const { port } = t.px.publicServer.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...PLAID, ...headers };
    if (!chunked) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/users/auth_token', headers: h },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    // Written, then ended: Node sends a body given to end() alone with a Content-Length.
    req.write(body);
    req.end();
  });
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

/** The same request on both paths: [lean, full], and which path answered each. */
async function both(t: TestApp, body: string, headers: Record<string, string> = {}): Promise<[Answer, Answer]> {
  let lean!: Answer;
  let full!: Answer;
  expect(await leanAnswers(t, LoginFastPath, async () => (lean = await raw(t, body, headers)))).toEqual([true]);
  expect(await leanAnswers(t, LoginFastPath, async () => (full = await raw(t, body, headers, true)))).toEqual([]);
  return [lean, full];
}

/** Ids, tokens and times differ from call to call, and KBA questions are drawn at random; the rest must not. */
function shape(a: Answer): unknown {
  const masked = JSON.parse(
    a.text
      .replace(/"(auth_token|request_id|id|user_id)":"[^"]+"/g, '"$1":"…"')
      .replace(/"retry_at":"[^"]+"/, '"retry_at":"…"'),
  ) as { challenge?: { questions?: { text: string }[] } };
  masked.challenge?.questions?.sort((p, q) => p.text.localeCompare(q.text)).forEach((q) => (q.text = '…'));
  return masked;
}

describe('auth_token on its lean path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => t?.stop());

  it.each([
    ['200, authenticated', 'user_good', PASSWORD, 200],
    ['202, an OTP challenge', 'user_otp', PASSWORD, 202],
    ['202, a KBA challenge', 'user_kba', PASSWORD, 202],
    ['202, a TOTP challenge', 'user_totp', PASSWORD, 202],
    ['401, a wrong password', 'user_good', 'Wr0ng-Lean-Guess', 401],
    ['401, an unknown username', 'nobody_lean', PASSWORD, 401],
    ['403, a locked account', 'user_locked', PASSWORD, 403],
    ['405, terms to accept', 'user_terms', PASSWORD, 405],
  ])('%s: the status, body and headers of the full pipeline', async (_name, username, password, status) => {
    const [lean, full] = await both(t, form({ username, password }));
    expect([lean.status, full.status]).toEqual([status, status]);
    expect(shape(lean)).toEqual(shape(full));
    for (const h of ['content-type', 'connection', 'retry-after', 'etag'])
      expect([h, lean.headers[h]]).toEqual([h, full.headers[h]]);
    // KBA questions are drawn at random, so the two bodies' lengths may differ; each is its own.
    for (const a of [lean, full]) expect(Number(a.headers['content-length'])).toBe(Buffer.byteLength(a.text));
    expect(lean.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    if (status >= 400)
      expectEnvelope({ ...lean, headers: lean.headers as Record<string, string> }, status, lean.body.error.id);
  });

  it('a JSON body and an institution_id are plain too; the token it gives is live', async () => {
    let r!: Answer;
    const json = JSON.stringify({ username: 'user_good', password: PASSWORD, institution_id: 'default' });
    expect(
      await leanAnswers(t, LoginFastPath, async () => (r = await raw(t, json, { 'Content-Type': 'application/json' }))),
    ).toEqual([true]);
    expect(r.status).toBe(200);
    const intro = await request(t.px.internalServer)
      .post('/tokens/introspect')
      .set('Authorization', 'Bearer sandbox-rs-key')
      .type('form')
      .send({ token: r.body.auth_token });
    expect(intro.body).toMatchObject({ active: true, user_id: r.body.user_id });
  });

  it('Accept-Language is negotiated alike: a Spanish challenge on both paths', async () => {
    const body = form({ username: 'user_totp', password: PASSWORD });
    const [lean, full] = await both(t, body, { 'Accept-Language': 'es;q=0.9, fr' });
    expect(lean.status).toBe(202);
    expect(shape(lean)).toEqual(shape(full));
    const english = await raw(t, body, { 'Accept-Language': 'fr, en;q=0.5' });
    expect(lean.body.challenge.prompt).not.toEqual(english.body.challenge.prompt);
  });

  it.each([
    ['a username that is not ASCII', form({ username: 'usér_good', password: PASSWORD }), 401, 'INVALID_CREDENTIALS'],
    ['an empty password', form({ username: 'user_good', password: '' }), 400, 'INVALID_REQUEST'],
    ['no password', form({ username: 'user_good' }), 400, 'INVALID_REQUEST'],
    ['a repeated username', 'username=user_good&username=x&password=p', 400, 'INVALID_REQUEST'],
    ['a username too long', form({ username: 'u'.repeat(257), password: PASSWORD }), 400, 'INVALID_REQUEST'],
    ['a NUL in the password', 'username=user_good&password=a%00b', 400, 'INVALID_REQUEST'],
    [
      'an unknown field (stripped by the DTO)',
      form({ username: 'user_good', password: PASSWORD, extra: 'x' }),
      200,
      '',
    ],
  ])('%s: handed to the full pipeline, which answers as before', async (_name, body, status, id) => {
    let r!: Answer;
    expect(await leanAnswers(t, LoginFastPath, async () => (r = await raw(t, body)))).toEqual([false]);
    expect(r.status).toBe(status);
    if (id) expectEnvelope({ ...r, headers: r.headers as Record<string, string> }, status, id);
  });

  it.each([
    ['no partner headers', { 'X-PLAID-CLIENT-ID': '', 'X-PLAID-SECRET': '' }, 401, 'INVALID_CLIENT'],
    ['a wrong partner secret', { 'X-PLAID-SECRET': 'not-the-secret' }, 401, 'INVALID_CLIENT'],
    ['an unsupported X-PLAID-VERSION', { 'X-PLAID-VERSION': '1999-01-01' }, 400, 'UNSUPPORTED_VERSION'],
  ])('%s: PartnerGuard refuses on both paths, in the same envelope', async (_name, headers, status, id) => {
    const [lean, full] = await both(t, form({ username: 'user_good', password: PASSWORD }), headers);
    expect([lean.status, lean.body.error.id]).toEqual([status, id]);
    expect(shape(lean)).toEqual(shape(full));
    for (const h of ['content-type', 'connection', 'retry-after', 'www-authenticate'])
      expect([h, lean.headers[h]]).toEqual([h, full.headers[h]]);
  });

  it("audit rows are the full path's: request id, Plaid client, the forwarded source address", async () => {
    const userId = await t.userIdOf('user_good');
    const at = (ip: string, chunked: boolean) =>
      raw(t, form({ username: 'user_good', password: PASSWORD }), { 'X-Forwarded-For': ip }, chunked);
    const lean = await at('198.51.100.7', false);
    const full = await at('198.51.100.8', true);
    const events = (await t.admin('GET', `/admin/users/${userId}/events`)).body.events as Record<string, any>[];
    const of = (id: string) => events.filter((e) => e.request_id === id);
    const [leanRows, fullRows] = [
      of(lean.headers['x-request-id'] as string),
      of(full.headers['x-request-id'] as string),
    ];
    expect(leanRows.map((e) => [e.type, e.outcome])).toEqual(fullRows.map((e) => [e.type, e.outcome]));
    expect(leanRows.length).toBeGreaterThan(0);
    expect(leanRows.every((e) => e.client_id === CLIENT.id && e.source_ip === '198.51.100.7')).toBe(true);
    expect(fullRows.every((e) => e.client_id === CLIENT.id && e.source_ip === '198.51.100.8')).toBe(true);
  });

  it('is counted in /metrics and every line it logs carries its request id, never the password or token', async () => {
    const before = await requestsCounted(t, '/users/auth_token', 200);
    const id = 'lean-login-check-1';
    const r = await raw(t, form({ username: 'user_good', password: PASSWORD }), { 'X-Request-Id': id });
    expect([r.status, r.headers['x-request-id']]).toEqual([200, id]);
    expect(await requestsCounted(t, '/users/auth_token', 200)).toBe(before + 1);
    // pino writes asynchronously.
    const deadline = Date.now() + 5_000;
    let lines: Record<string, any>[] = [];
    while (Date.now() < deadline) {
      lines = t.logs.filter((l) => l.includes(id)).map((l) => JSON.parse(l) as Record<string, any>);
      if (lines.some((l) => l.msg === 'request completed')) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        request_id: id,
        req: { method: 'POST', path: '/users/auth_token' },
        res: { status: 200 },
      }),
    );
    // The audit lines written while serving it carry the request and its id, as pino-http's child loggers do.
    const audit = lines.filter((l) => l.context === 'Audit');
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((l) => l.request_id === id && l.req?.path === '/users/auth_token')).toBe(true);
    const text = t.logs.join('\n');
    expect(text).not.toContain(r.body.auth_token);
    expect(text).not.toContain(PASSWORD);
  });
});

describe('auth_token on its lean path, throttled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ THROTTLE_PER_ADDRESS: '3', THROTTLE_PER_CLIENT: '0' });
  });
  afterAll(() => t?.stop());

  it("shares its counters with the full path, and answers the throttle's 503 itself", async () => {
    const body = form({ username: 'user_good', password: PASSWORD });
    const answered: boolean[] = [];
    const statuses: number[] = [];
    for (const chunked of [false, true, false, false, true]) {
      answered.push(
        ...(await leanAnswers(t, LoginFastPath, async () => statuses.push((await raw(t, body, {}, chunked)).status))),
      );
    }
    // Three in the second, lean or not; the fourth (lean) and the fifth (full) are refused alike.
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    expect(answered).toEqual([true, true, true]);
    const [lean, full] = [await raw(t, body), await raw(t, body, {}, true)];
    for (const r of [lean, full]) {
      expectEnvelope({ ...r, headers: r.headers as Record<string, string> }, 503, 'SERVICE_UNAVAILABLE');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(shape(lean)).toEqual(shape(full));
    const limits = (r: Answer) =>
      Object.keys(r.headers)
        .filter((h) => h.startsWith('x-ratelimit'))
        .sort();
    expect(limits(lean)).toEqual(limits(full));
  });
});
