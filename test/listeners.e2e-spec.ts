import request from 'supertest';
import { KEYS, TestApp, expectEnvelope } from './support/harness';

/** PRODUCT.md section 1: nothing of the internal listener is reachable on the public one (404 there). */
describe('two listeners', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });
  const call = (
    server: 'publicServer' | 'internalServer',
    method: 'get' | 'post' | 'put',
    path: string,
    body?: object,
  ) => {
    let r = request(t.px[server])
      [method](path)
      .set('Authorization', `Bearer ${KEYS.admin}`)
      .set('X-PLAID-CLIENT-ID', 'sandbox-client')
      .set('X-PLAID-SECRET', 'sandbox-secret');
    if (body) r = r.send(body);
    return r.then((x) => ({
      status: x.status,
      body: x.body,
      text: x.text,
      headers: x.headers,
    }));
  };

  it.each([
    ['get', '/admin/users'],
    ['get', '/ADMIN/users'],
    ['get', '/Admin/Users/'],
    ['get', '//admin/users'],
    ['get', '/admin/users?username=user_good'],
    ['post', '/tokens/introspect'],
    ['post', '/TOKENS/revoke'],
    ['put', '/admin/maintenance'],
    ['put', '/Admin/Maintenance'],
    ['get', '/admin/outbox'],
    ['get', '/metrics'],
    ['get', '/console'],
  ] as const)('public %s %s: 404 in the envelope, even with a valid staff key', async (method, path) => {
    expectEnvelope(
      await call('publicServer', method, path, method === 'get' ? undefined : { enabled: true, token: 'x' }),
      404,
      'NOT_FOUND',
    );
  });

  it('a refused call on the public listener changed nothing', async () => {
    await call('publicServer', 'put', '/ADMIN/maintenance', { enabled: true });
    expect((await t.login('user_good')).status).toBe(200);
  });

  it.each([['/users/auth_token'], ['/USERS/auth_token'], ['/users/x/2fa'], ['/users/x/sendOtp']])(
    "internal POST %s: 404, Plaid's endpoints are public only",
    async (path) => {
      expectEnvelope(
        await call('internalServer', 'post', path, { username: 'user_good', password: 'pass_good' }),
        404,
        'NOT_FOUND',
      );
    },
  );

  it('health answers on both', async () => {
    for (const server of ['publicServer', 'internalServer'] as const) {
      expect((await call(server, 'get', '/healthz')).status).toBe(200);
      expect((await call(server, 'get', '/readyz')).status).toBe(200);
    }
  });
});
