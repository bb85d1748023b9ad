import { randomInt } from 'node:crypto';
import request from 'supertest';
import { burst, from, sequence, sourceAddress as address } from './support/bursts';
import { Res, TestApp } from './support/harness';
import { sample, scrape } from './support/metrics';
import { Browser, redirected, tokenRequest } from './support/oauth';
import { storedRows } from './support/stored';

/**
 * PRODUCT.md section 13's THROTTLE_PER_ADDRESS and THROTTLE_PER_CLIENT on section 14's OAuth endpoints:
 * /oauth2/token answers in its own format (RFC 6749 5.2) with 503, Retry-After and retry_at; the hosted
 * pages answer a 503 page in the customer's language, before any password is checked.
 */

const REDIS_URL = process.env.PXAUTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Client = { id: string; secret: string };
/** No client credentials at all (401 invalid_client): what reaches only the per-address throttle. */
const noClient: Client = { id: '', secret: '' };

/** A token request that authenticates the client and costs nothing else: an unknown refresh token (400). */
const refresh = (t: TestApp, addr: string, client?: Client) =>
  tokenRequest(
    t,
    { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' },
    { headers: from(addr), client },
  );

const throttles = async (t: TestApp, scope: 'per_address' | 'per_client') =>
  sample(await scrape(t), 'pxauth_throttles_total', { scope });

async function newClient(t: TestApp): Promise<Client> {
  const r = await t.admin('POST', '/admin/clients', { name: `oauth throttle ${randomInt(1e9)}` });
  expect(r.status).toBe(201);
  return { id: r.body.client_id, secret: r.body.client_secret };
}

function expectTokenThrottled(r: Res): void {
  expect(r.status).toBe(503);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.body).toEqual({
    error: 'temporarily_unavailable',
    error_description: expect.any(String),
    retry_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  });
  const retryAt = Date.parse(r.body.retry_at);
  expect(retryAt).toBeGreaterThan(Date.now() - 100);
  expect(retryAt).toBeLessThan(Date.now() + 3_000);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

function expectBusyPage(r: Res, lang: 'en' | 'es'): void {
  expect(r.status).toBe(503);
  expect(r.headers['content-type']).toMatch(/^text\/html/);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.text).toContain(`<html lang="${lang}">`);
  expect(r.text).toContain(lang === 'es' ? 'Espere un momento' : 'Please wait a moment');
  expect(r.text).not.toMatch(/SERVICE_UNAVAILABLE|request_id/);
}

describe('OAuth endpoints throttled: PRODUCT.md sections 13 and 14', () => {
  describe('in one process', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ THROTTLE_PER_ADDRESS: '5', THROTTLE_PER_CLIENT: '3', TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('/oauth2/token past THROTTLE_PER_ADDRESS: 503 temporarily_unavailable with Retry-After and retry_at, counted in /metrics', async () => {
      // Four clients, two calls each: under THROTTLE_PER_CLIENT, so only the address's limit is met.
      const clients = [await newClient(t), await newClient(t), await newClient(t), await newClient(t)];
      const before = await throttles(t, 'per_address');
      const a = address();
      // At once, so that all eight fall in one one-second window even on a slow machine.
      const answers = await burst(8, (i) => refresh(t, a, clients[i % 4]));
      const served = answers.filter((r) => r.status === 400);
      const throttled = answers.filter((r) => r.status === 503);
      expect([served.length, throttled.length]).toEqual([5, 3]);
      for (const r of served) expect(r.body).toEqual({ error: 'invalid_grant' });
      for (const r of throttled) expectTokenThrottled(r);
      expect((await throttles(t, 'per_address')) - before).toBe(3);
      // Counted before the client is looked at: no credentials at all are throttled the same.
      expectTokenThrottled(
        await tokenRequest(
          t,
          { grant_type: 'refresh_token' },
          { headers: from(a), auth: 'body', client: { id: '', secret: '' } },
        ),
      );
      expect((await refresh(t, address())).status).toBe(400);
      await sleep(Math.max(...throttled.map((r) => Date.parse(r.body.retry_at))) - Date.now() + 50);
      expect((await refresh(t, a)).status).toBe(400);
    });

    it('/oauth2/token past THROTTLE_PER_CLIENT: that client gets 503, another is served, and a wrong secret spends nothing', async () => {
      const [one, two] = [await newClient(t), await newClient(t)];
      const before = await throttles(t, 'per_client');
      const forged = await sequence(5, () => refresh(t, address(), { id: one.id, secret: 'f'.repeat(64) }));
      expect(forged.map((r) => [r.status, r.body])).toEqual(Array(5).fill([401, { error: 'invalid_client' }]));
      // Each call from a new address: only the client's allowance is spent.
      const answers = await burst(5, () => refresh(t, address(), one));
      expect(answers.map((r) => r.status).sort()).toEqual([400, 400, 400, 503, 503]);
      for (const r of answers.filter((x) => x.status === 503)) expectTokenThrottled(r);
      expect((await throttles(t, 'per_client')) - before).toBe(2);
      expect(await refresh(t, address(), two)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('a sign-in POST past THROTTLE_PER_ADDRESS: a 503 page in Spanish, no password checked, no attempt counted; later the sign-in goes on', async () => {
      const u = await t.createUser('oauth_throttled');
      const a = address();
      const b = new Browser(t, 'es-MX,es;q=0.9', from(a));
      expect((await b.authorize()).status).toBe(200);
      // Spend the rest of the address's allowance on posts that check nothing (no sign-in cookie: 400).
      const cheap = () =>
        request(t.px.publicServer)
          .post('/oauth2/signin')
          .set({ ...from(a), 'Accept-Language': 'en' })
          .type('form')
          .send('username=x&password=y');
      const spent = await sequence(5, async () => {
        const r = await cheap();
        return { status: r.status, body: r.body, text: r.text, headers: r.headers };
      });
      expect(spent.map((r) => r.status)).toEqual([400, 400, 400, 400, 503]);
      expectBusyPage(spent[4], 'en');

      const before = await throttles(t, 'per_address');
      const throttled = await sequence(3, () => b.signIn(u.username, 'not-the-password'));
      for (const r of throttled) expectBusyPage(r, 'es');
      // The authorize page is throttled the same.
      expectBusyPage(await new Browser(t, 'en', from(a)).authorize(), 'en');
      expect((await throttles(t, 'per_address')) - before).toBe(4);
      // The password was never looked at: no failure on the lockout row, no login in the audit trail.
      const guard = await storedRows<{ failures: number | string }>(
        t,
        'SELECT failures FROM login_guard WHERE username_norm = ?',
        [u.username.toLowerCase()],
      );
      expect(guard.map((g) => Number(g.failures))).toEqual(guard.length ? [0] : []);
      expect((await t.admin('GET', `/admin/users/${u.userId}`)).body.lock).toMatchObject({ consecutive_failures: 0 });
      expect((await t.events(u.userId)).filter((e) => e.type === 'login')).toEqual([]);

      // After Retry-After the same sign-in (its cookie and CSRF token still hold) goes on.
      await sleep(Number(throttled[2].headers['retry-after']) * 1_000 + 50);
      expect(redirected(await b.signIn(u.username, u.password)).searchParams.get('code')).toBeTruthy();
      expect((await t.events(u.userId)).filter((e) => e.type === 'login').map((e) => e.outcome)).toEqual(['success']);
    });

    it('the stylesheet and the public key are not throttled', async () => {
      const a = address();
      const anonymous = () =>
        tokenRequest(t, { grant_type: 'refresh_token' }, { headers: from(a), auth: 'body', client: noClient });
      expect((await burst(6, anonymous)).map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 503]);
      for (const path of ['/oauth2/assets/signin.css', '/oauth2/jwks'])
        expect((await request(t.px.publicServer).get(path).set(from(a))).status).toBe(200);
    });
  });

  describe('shared across replicas through Redis (REDIS_URL)', () => {
    const apps: TestApp[] = [];
    afterAll(async () => {
      for (const a of apps.reverse()) await a.stop();
    });

    it('two instances on one database and one Redis hold one /oauth2/token limit per address and per client', async () => {
      const env = { THROTTLE_PER_ADDRESS: '4', THROTTLE_PER_CLIENT: '3', TRUST_PROXY: 'loopback', REDIS_URL };
      apps.push(await TestApp.start(env));
      apps.push(await TestApp.start({ ...env, DATABASE_URL: apps[0].databaseUrl }));
      const [a, b] = apps;
      // Clients of this test alone (their keys in Redis are no other run's), known to both replicas.
      const clients = [await newClient(a), await newClient(a), await newClient(a), await newClient(a)];
      const addr = address();
      // At once, so that each burst falls in one one-second window even on a slow machine.
      const perAddress = await burst(8, (i) => refresh(i % 2 ? b : a, addr, clients[i % 4]));
      expect(perAddress.map((r) => r.status).sort()).toEqual([400, 400, 400, 400, 503, 503, 503, 503]);
      for (const r of perAddress.filter((x) => x.status === 503)) expectTokenThrottled(r);

      const client = await newClient(b);
      const perClient = await burst(6, (i) => refresh(i % 2 ? b : a, address(), client));
      expect(perClient.map((r) => r.status).sort()).toEqual([400, 400, 400, 503, 503, 503]);
      for (const r of perClient.filter((x) => x.status === 503)) expectTokenThrottled(r);
    });
  });
});
