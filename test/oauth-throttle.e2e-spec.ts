import { randomInt } from 'node:crypto';
import request from 'supertest';
import { burst, from, sequence, sourceAddress as address } from './support/bursts';
import { Res, TestApp } from './support/harness';
import { sample, scrape } from './support/metrics';
import { Browser, redirected, tokenRequest } from './support/oauth';
import { storedRows } from './support/stored';

/**
 * The OAuth endpoints' own per-address limits, on by default (OAUTH_THROTTLE_PER_ADDRESS for the sign-in
 * pages, OAUTH_TOKEN_THROTTLE_PER_ADDRESS for /oauth2/token, a minute each): 429 with Retry-After, a page
 * in the customer's language or RFC 6749 5.2's JSON, before any password is checked. And the legacy
 * THROTTLE_PER_ADDRESS and THROTTLE_PER_CLIENT (a second each, 503) that /oauth2/token keeps.
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
  expect(r.status).toBe(429);
  expect(r.headers['content-type']).toMatch(/^text\/html/);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.text).toContain(`<html lang="${lang}">`);
  expect(r.text).toContain(lang === 'es' ? 'Espere un momento' : 'Please wait a moment');
  expect(r.text).not.toMatch(/SERVICE_UNAVAILABLE|request_id/);
}

/** 429 from /oauth2/token's own limit: RFC 6749 5.2's format, as its 503 is. */
function expectTokenLimited(r: Res): void {
  expect(r.status).toBe(429);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.body).toEqual({
    error: 'temporarily_unavailable',
    error_description: expect.any(String),
    retry_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  });
  const retryAfter = Number(r.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

/** `n` calls at once, `size` at a time (a thousand sockets at once would measure the test machine). */
async function batches(n: number, size: number, call: (i: number) => Promise<Res>): Promise<Res[]> {
  const out: Res[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await burst(Math.min(size, n - i), (j) => call(i + j))));
  return out;
}

describe('OAuth endpoints limited per address by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    // '' is the default: the harness raises both limits for every other suite.
    t = await TestApp.start({
      OAUTH_THROTTLE_PER_ADDRESS: '',
      OAUTH_TOKEN_THROTTLE_PER_ADDRESS: '',
      TRUST_PROXY: 'loopback',
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('the sign-in pages: 60 requests a minute per address, then a 429 page with Retry-After; another address is served', async () => {
    const a = address();
    const before = await throttles(t, 'per_address');
    const pages = await burst(61, () => new Browser(t, 'en', from(a)).authorize());
    expect(pages.filter((r) => r.status === 200)).toHaveLength(60);
    const limited = pages.filter((r) => r.status !== 200);
    expect(limited).toHaveLength(1);
    expectBusyPage(limited[0], 'en');
    expect(Number(limited[0].headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited[0].headers['set-cookie']).toBeUndefined();
    // The forms count in the same allowance.
    const post = await request(t.px.publicServer).post('/oauth2/signin').set(from(a)).type('form').send('username=x');
    expect(post.status).toBe(429);
    expect((await throttles(t, 'per_address')) - before).toBe(2);
    expect((await new Browser(t, 'en', from(address())).authorize()).status).toBe(200);
  });

  it('/oauth2/token: 1,200 requests a minute per address, then 429 in RFC 6749 5.2 format', async () => {
    const a = address();
    const anonymous = () =>
      tokenRequest(t, { grant_type: 'refresh_token' }, { headers: from(a), auth: 'body', client: noClient });
    const answers = await batches(1201, 50, anonymous);
    expect(answers.filter((r) => r.status === 401)).toHaveLength(1200);
    const limited = answers.filter((r) => r.status !== 401);
    expect(limited).toHaveLength(1);
    expectTokenLimited(limited[0]);
    // The pages' allowance is another: the same address still gets its sign-in page.
    expect((await new Browser(t, 'en', from(a)).authorize()).status).toBe(200);
  });
});

describe("OAuth endpoints throttled by the legacy limits and the pages' own", () => {
  describe('in one process', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({
        THROTTLE_PER_ADDRESS: '5',
        THROTTLE_PER_CLIENT: '3',
        OAUTH_THROTTLE_PER_ADDRESS: '5',
        TRUST_PROXY: 'loopback',
      });
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

    it('a sign-in POST past OAUTH_THROTTLE_PER_ADDRESS: a 429 page in Spanish, no password checked, no attempt counted; the sign-in goes on from another address', async () => {
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
      expect(spent.map((r) => r.status)).toEqual([400, 400, 400, 400, 429]);
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

      // The sign-in itself is untouched: its cookie and CSRF token still hold, from the customer's new
      // address (a phone off Wi-Fi) at once, or from the same one after Retry-After.
      b.moveTo(from(address()));
      expect(redirected(await b.signIn(u.username, u.password)).searchParams.get('code')).toBeTruthy();
      expect((await t.events(u.userId)).filter((e) => e.type === 'login').map((e) => e.outcome)).toEqual(['success']);
    });

    it("THROTTLE_PER_ADDRESS, for Plaid, is not the pages' limit: a customer is never refused by it", async () => {
      const a = address();
      // Past the legacy five a second of /oauth2/token, the same address still signs in.
      expect((await burst(6, () => refresh(t, a))).map((r) => r.status)).toContain(503);
      const b = new Browser(t, 'en', from(a));
      expect((await b.authorize()).status).toBe(200);
      expect(redirected(await b.signIn('user_good', 'pass_good')).searchParams.get('code')).toBeTruthy();
    });

    it('the stylesheet and the public key are not throttled', async () => {
      const a = address();
      const anonymous = () =>
        tokenRequest(t, { grant_type: 'refresh_token' }, { headers: from(a), auth: 'body', client: noClient });
      expect((await burst(6, anonymous)).map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 503]);
      // And past the pages' own five a minute.
      const pages = await burst(6, () => new Browser(t, 'en', from(a)).authorize());
      expect(pages.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429]);
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
      const env = {
        THROTTLE_PER_ADDRESS: '4',
        THROTTLE_PER_CLIENT: '3',
        OAUTH_THROTTLE_PER_ADDRESS: '5',
        TRUST_PROXY: 'loopback',
        REDIS_URL,
      };
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

    it('two instances on one Redis hold one OAUTH_THROTTLE_PER_ADDRESS for the sign-in pages', async () => {
      const [a, b] = apps;
      const addr = address();
      const pages = await burst(8, (i) => new Browser(i % 2 ? b : a, 'en', from(addr)).authorize());
      expect(pages.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      for (const r of pages.filter((x) => x.status === 429)) expectBusyPage(r, 'en');
    });
  });
});
