import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { IntrospectionFastPath } from '@/edge/introspection.fast-path';
import { KEYS, TestApp, expectEnvelope } from './support/harness';
import { leanAnswers, requestsCounted } from './support/lean-routes';

/**
 * POST /tokens/introspect answers its plain case before Express and Nest
 * (src/edge/lean-routes.ts, src/edge/introspection.fast-path.ts). What the bank's data API sees
 * must not change: the same body and headers as the full pipeline, every error in the envelope, a
 * revocation seen at once, the answer counted in /metrics and logged with its request id.
 */

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw POST on the internal listener, so that framing (chunked, a lying Content-Length) is ours to choose. */
function raw(
  t: TestApp,
  body: string,
  headers: Record<string, string>,
  opts: { chunked?: boolean; cut?: boolean } = {},
): Promise<Answer> {
  const { port } = t.px.internalServer.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (!opts.chunked) h['Content-Length'] = String(opts.cut ? Buffer.byteLength(body) + 50 : Buffer.byteLength(body));
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/tokens/introspect', headers: h },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    // A client that goes away on purpose sees its own socket closed: that is not a failure here.
    req.on('error', opts.cut ? () => undefined : reject);
    req.write(body);
    if (opts.cut) {
      // The client goes away with its body half sent.
      setTimeout(() => req.destroy(), 50);
      setTimeout(() => resolve({ status: 0, headers: {}, body: '' }), 100);
    } else req.end();
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${KEYS.rs}` };

describe('introspection on its lean path', () => {
  let t: TestApp;
  let token: string;
  let userId: string;
  beforeAll(async () => {
    t = await TestApp.start();
    const r = await t.login('user_good');
    expect(r.status).toBe(200);
    ({ auth_token: token, user_id: userId } = r.body);
  });
  afterAll(() => t?.stop());

  it('answers what the full pipeline answers: the same status, body and headers', async () => {
    const body = new URLSearchParams({ token }).toString();
    const lean = await raw(t, body, FORM);
    // A chunked body has no Content-Length: the lean route leaves it to Express and Nest.
    const full = await raw(t, body, FORM, { chunked: true });
    expect(lean.status).toBe(200);
    expect(full.status).toBe(200);
    expect(JSON.parse(lean.body)).toEqual(JSON.parse(full.body));
    expect(JSON.parse(lean.body)).toMatchObject({ active: true, sub: userId, user_id: userId, token_type: 'Bearer' });
    for (const h of ['content-type', 'content-length', 'connection'])
      expect([h, lean.headers[h]]).toEqual([h, full.headers[h]]);
    expect(lean.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // No ETag on either (src/server.ts): an answer's ETag would be a digest of what it holds.
    expect([lean.headers.etag, full.headers.etag]).toEqual([undefined, undefined]);
    // Which path answered each: the lean route's own result, watched (not replaced).
    const answered = await leanAnswers(t, IntrospectionFastPath, () => raw(t, body, FORM));
    expect(answered).toEqual([true]);
    expect(await leanAnswers(t, IntrospectionFastPath, () => raw(t, body, FORM, { chunked: true }))).toEqual([]);
  });

  it('JSON bodies, user_id checks and unknown tokens are answered as before', async () => {
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEYS.rs}` };
    const own = await raw(t, JSON.stringify({ token, user_id: userId }), json);
    expect(JSON.parse(own.body)).toMatchObject({ active: true, user_id: userId });
    const other = await raw(t, JSON.stringify({ token, user_id: 'someone-else' }), json);
    expect(JSON.parse(other.body)).toEqual({ active: false });
    const unknown = await raw(t, JSON.stringify({ token: 'x'.repeat(43) }), json);
    expect([unknown.status, JSON.parse(unknown.body)]).toEqual([200, { active: false }]);
    // Not printable ASCII: no token of ours, answered by the full pipeline (its DTO), inactive.
    let odd!: Answer;
    expect(
      await leanAnswers(
        t,
        IntrospectionFastPath,
        async () => (odd = await raw(t, JSON.stringify({ token: 'tökén' }), json)),
      ),
    ).toEqual([false]);
    expect([odd.status, JSON.parse(odd.body)]).toEqual([200, { active: false }]);
  });

  it.each([
    ['no key', { 'Content-Type': 'application/x-www-form-urlencoded' }, 401, 'UNAUTHORIZED'],
    ['a wrong key', { ...FORM, Authorization: 'Bearer pxs_wrong' }, 401, 'UNAUTHORIZED'],
    ['the support key (not its role)', { ...FORM, Authorization: `Bearer ${KEYS.support}` }, 403, 'FORBIDDEN'],
    ['an unsupported Content-Type', { ...FORM, 'Content-Type': 'text/plain' }, 400, 'INVALID_REQUEST'],
  ])('%s: the envelope the full pipeline gives', async (_name, headers, status, id) => {
    const r = await raw(t, new URLSearchParams({ token }).toString(), headers);
    const parsed = JSON.parse(r.body) as Record<string, unknown>;
    expectEnvelope(
      { status: r.status, body: parsed, text: r.body, headers: r.headers as Record<string, string> },
      status,
      id,
    );
  });

  it('a key refused answers alike on both paths, and a wrong role leaves the same audit row', async () => {
    const body = new URLSearchParams({ token }).toString();
    const at = async (headers: Record<string, string>, chunked: boolean, id: string) => {
      let r!: Answer;
      const answered = await leanAnswers(
        t,
        IntrospectionFastPath,
        async () => (r = await raw(t, body, { ...headers, 'X-Request-Id': id }, { chunked })),
      );
      expect(answered).toEqual(chunked ? [] : [true]);
      const events = (await t.admin('GET', `/admin/events?request_id=${id}`)).body.events as Record<string, any>[];
      const row = (e: Record<string, any>) => [e.type, e.outcome, e.staff_id, e.source_ip, e.detail];
      return { status: r.status, body: { ...JSON.parse(r.body), request_id: '…' }, rows: events.map(row) };
    };
    for (const [name, headers] of [
      ['wrong-key', { ...FORM, Authorization: 'Bearer pxs_wrong' }],
      ['support', { ...FORM, Authorization: `Bearer ${KEYS.support}` }],
    ] as const) {
      const lean = await at(headers, false, `lean-refused-${name}`);
      const full = await at(headers, true, `full-refused-${name}`);
      expect(lean).toEqual(full);
      if (name === 'support') {
        expect(lean.status).toBe(403);
        expect(lean.rows).toEqual([
          [
            'admin_call',
            'FORBIDDEN',
            expect.any(String),
            expect.any(String),
            expect.objectContaining({ route: '/tokens/introspect' }),
          ],
        ]);
      } else expect([lean.status, lean.rows]).toEqual([401, []]);
    }
  });

  it.each([
    ['no token', 'user_id=abc'],
    ['a token too long', new URLSearchParams({ token: 'a'.repeat(513) }).toString()],
    ['a token with NUL', 'token=abc%00def'],
    ['a repeated token', 'token=a&token=b'],
  ])('%s: 400 INVALID_REQUEST naming the field', async (_name, body) => {
    const r = await raw(t, body, FORM);
    const parsed = JSON.parse(r.body) as { error: { id: string; message: string } };
    expect([r.status, parsed.error.id]).toEqual([400, 'INVALID_REQUEST']);
    expect(parsed.error.message).toMatch(/token/);
  });

  it('malformed JSON and a body over the limit are 400 as before', async () => {
    const bad = await raw(t, '{"token": ', { ...FORM, 'Content-Type': 'application/json' });
    expect([bad.status, JSON.parse(bad.body).error.id]).toEqual([400, 'INVALID_REQUEST']);
    const big = await raw(t, `token=${'a'.repeat(17 * 1024)}`, FORM);
    expect([big.status, JSON.parse(big.body).error.id]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('a client that leaves mid-body costs nothing: the next introspection is answered', async () => {
    await raw(t, 'token=abc', FORM, { cut: true });
    const r = await raw(t, new URLSearchParams({ token }).toString(), FORM);
    expect([r.status, JSON.parse(r.body).active]).toEqual([200, true]);
  });

  it('a revoked token is inactive on the very next call', async () => {
    const fresh = (await t.login('user_good')).body.auth_token as string;
    const before = await raw(t, new URLSearchParams({ token: fresh }).toString(), FORM);
    expect(JSON.parse(before.body).active).toBe(true);
    const rev = await request(t.px.internalServer)
      .post('/tokens/revoke')
      .set('Authorization', `Bearer ${KEYS.rs}`)
      .type('form')
      .send({ token: fresh });
    expect(rev.status).toBe(200);
    const after = await raw(t, new URLSearchParams({ token: fresh }).toString(), FORM);
    expect(JSON.parse(after.body)).toEqual({ active: false });
  });

  it('is counted in /metrics and logged with its request id, never with the token', async () => {
    const before = await requestsCounted(t, '/tokens/introspect', 200);
    const id = 'lean-introspect-check-1';
    const r = await raw(t, new URLSearchParams({ token }).toString(), { ...FORM, 'X-Request-Id': id });
    expect([r.status, r.headers['x-request-id']]).toEqual([200, id]);
    expect(await requestsCounted(t, '/tokens/introspect', 200)).toBe(before + 1);
    const lines = t.logs.filter((l) => l.includes(id)).map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        request_id: id,
        req: { method: 'POST', path: '/tokens/introspect' },
        res: { status: 200 },
      }),
    ]);
    expect(t.logs.join('\n')).not.toContain(token);
    expect(t.logs.join('\n')).not.toContain(KEYS.rs);
  });

  it('is not served on the public listener', async () => {
    const r = await request(t.px.publicServer)
      .post('/tokens/introspect')
      .set('Authorization', `Bearer ${KEYS.rs}`)
      .type('form')
      .send({ token });
    expectEnvelope({ status: r.status, body: r.body, text: r.text, headers: r.headers }, 404, 'NOT_FOUND');
  });
});
