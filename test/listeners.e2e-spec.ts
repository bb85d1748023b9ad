import { Server, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT, KEYS, PASSWORD, Res, TestApp, expectEnvelope } from './support/harness';

/**
 * docs/api.md#listeners: nothing of the internal listener is reachable on the public one (404 there),
 * and Plaid's endpoints are not on the internal one. Each spelling is sent to both listeners, so that
 * a 404 means the listener refused a route that exists, not that the path matched nothing.
 */

type Method = 'GET' | 'POST' | 'PUT';

/**
 * One request with the path exactly as written, with a staff key and Plaid's credentials both set:
 * supertest goes through WHATWG URL, which would remove `..` and `.` segments before sending.
 */
function send(server: Server, method: Method, path: string, body?: object): Promise<Res> {
  const { port } = server.address() as AddressInfo;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${KEYS.admin}`,
    'X-PLAID-CLIENT-ID': CLIENT.id,
    'X-PLAID-SECRET': CLIENT.secret,
  };
  if (body) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, body: parsed, text, headers: res.headers as Record<string, string> });
      });
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** Routes of the internal listener (docs/api.md, Listeners), each answering 200 there to an admin key. */
// A query the route takes: admin routes refuse a parameter they do not know (400 naming it, docs/api.md).
const INTERNAL: [Method, string, object?, string?][] = [
  ['GET', '/admin/users', undefined, 'institution_id=default'],
  ['GET', '/admin/outbox', undefined, 'to=nobody%40example.com'],
  ['POST', '/tokens/introspect', { token: 'not-a-token' }],
  ['POST', '/tokens/revoke', { token: 'not-a-token' }],
];
/** Plaid's endpoints (docs/api.md, Listeners), each answering on the public listener (200, or 400 for challenge x). */
const PLAID: [string, object][] = [
  ['/users/auth_token', { username: 'user_good', password: PASSWORD }],
  ['/users/x/2fa', { challenge_id: 'x', passcode: '123456' }],
  ['/users/x/sendOtp', { challenge_id: 'x', send_method_id: 'x' }],
];

/** Spellings the router resolves to the route itself: case, a trailing slash (docs/api.md, Listeners), a query. */
const resolved = (path: string, query = 'x=1'): string[] => {
  const [first, ...rest] = path.slice(1).split('/');
  const last = rest.pop()!;
  return [
    path,
    `/${first.toUpperCase()}/${[...rest, last].join('/')}`,
    `/${first[0].toUpperCase()}${first.slice(1)}/${[...rest, last.toUpperCase()].join('/')}`,
    `${path}/`,
    `${path}?${query}`,
  ];
};

/**
 * Spellings an attacker would try that Express 5 matches as sent: it does no RFC 3986 section 6.2.2
 * normalisation (no merging of slashes, no decoding of unreserved characters, no removal of dot
 * segments, and `;` is part of the segment), so they reach no route on either listener today. They
 * are asserted on both: if a normaliser is ever put before the router, these rows fail and move to
 * the pairs above, where the public 404 then rests on the listener guard.
 */
const unresolved = (path: string): string[] => {
  const [first, ...rest] = path.slice(1).split('/');
  const tail = rest.join('/');
  const last = rest.pop()!;
  const pct = (s: string) => `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}`;
  return [
    `/${path}`,
    `/${first}//${tail}`,
    `/${pct(first)}/${tail}`,
    `/${[first, ...rest, pct(last)].join('/')}`,
    `/${first}%2F${tail}`,
    `/x/../${first}/${tail}`,
    `/${first}/./${tail}`,
    `/${first}/%2e%2e/${first}/${tail}`,
    `${path};x=1`,
    `/${first};x=1/${tail}`,
  ];
};

describe('two listeners: docs/api.md#listeners', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it.each(
    INTERNAL.flatMap(([method, path, body, query]) => resolved(path, query).map((p) => [method, p, body] as const)),
  )('%s %s: 404 on the public listener, even with a staff key; 200 on the internal one', async (method, path, body) => {
    expectEnvelope(await send(t.px.publicServer, method, path, body), 404, 'NOT_FOUND');
    expect((await send(t.px.internalServer, method, path, body)).status).toBe(200);
  });

  it.each(PLAID.flatMap(([path, body]) => resolved(path).map((p) => [p, body] as const)))(
    "POST %s: 404 on the internal listener; it answers on the public one (Plaid's endpoints are public only)",
    async (path, body) => {
      expectEnvelope(await send(t.px.internalServer, 'POST', path, body), 404, 'NOT_FOUND');
      expect((await send(t.px.publicServer, 'POST', path, body)).status).not.toBe(404);
    },
  );

  it.each(
    [...INTERNAL, ...PLAID.map(([p, b]) => ['POST', p, b] as const)].flatMap(([method, path, body]) =>
      unresolved(path).map((p) => [method, p, body] as const),
    ),
  )('%s %s: no route on either listener', async (method, path, body) => {
    expectEnvelope(await send(t.px.publicServer, method, path, body), 404, 'NOT_FOUND');
    expectEnvelope(await send(t.px.internalServer, method, path, body), 404, 'NOT_FOUND');
  });

  it('a change asked on the public listener changes nothing: maintenance, a token, a user', async () => {
    const login = await t.login('user_good');
    expect(login.status).toBe(200);
    const token = login.body.auth_token as string;
    const username = `listener_${Math.random().toString(36).slice(2, 8)}`;
    expectEnvelope(await send(t.px.publicServer, 'PUT', '/Admin/Maintenance', { enabled: true }), 404, 'NOT_FOUND');
    expectEnvelope(await send(t.px.publicServer, 'POST', '/TOKENS/revoke/', { token }), 404, 'NOT_FOUND');
    expectEnvelope(
      await send(t.px.publicServer, 'POST', '/admin/USERS', { username, password: PASSWORD }),
      404,
      'NOT_FOUND',
    );
    expect((await t.admin('GET', '/admin/maintenance')).body.enabled).toBe(false);
    expect((await t.login('user_good')).status).toBe(200);
    expect((await t.admin('POST', '/tokens/introspect', { token }, KEYS.rs)).body.active).toBe(true);
    expect((await t.admin('GET', `/admin/users?username=${username}`)).body).toEqual({ users: [] });
  });

  // Metrics and the OpenAPI documents are the internal listener's, whatever the spelling.
  it.each([['/metrics'], ['/openapi.json'], ['/openapi/admin.json']])(
    'GET %s: 200 internal, 404 public',
    async (path) => {
      expect((await send(t.px.internalServer, 'GET', path)).status).toBe(200);
      for (const spelling of [path, path.toUpperCase(), `/${path}`, `${path}/`])
        expectEnvelope(await send(t.px.publicServer, 'GET', spelling), 404, 'NOT_FOUND');
    },
  );

  it('GET /console: the sign-in page on the internal listener, 404 on the public one', async () => {
    expectEnvelope(await send(t.px.publicServer, 'GET', '/console'), 404, 'NOT_FOUND');
    const r = await send(t.px.internalServer, 'GET', '/console/login');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
  });

  it('health answers on both', async () => {
    for (const server of [t.px.publicServer, t.px.internalServer]) {
      expect((await send(server, 'GET', '/healthz')).status).toBe(200);
      expect((await send(server, 'GET', '/readyz')).status).toBe(200);
    }
  });

  it('keeps an idle connection 65 s, longer than the proxies in front (nginx, load balancers: 60 s)', async () => {
    for (const url of [t.px.publicUrl, t.px.internalUrl]) {
      const r = await fetch(`${url}/healthz`);
      await r.text();
      expect([url, r.headers.get('connection'), r.headers.get('keep-alive')]).toEqual([
        url,
        'keep-alive',
        'timeout=65',
      ]);
    }
  });
});
