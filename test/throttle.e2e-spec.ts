import { randomInt } from 'node:crypto';
import { burst, from, sequence, sourceAddress as address } from './support/bursts';
import { Res, TestApp, expectEnvelope } from './support/harness';

/**
 * docs/operations.md#shedding-and-throttling: THROTTLE_PER_CLIENT and THROTTLE_PER_ADDRESS, requests per second, past them
 * 503 with retry_at (Plaid's contract has no 429), held across replicas through Redis with REDIS_URL.
 * Each test speaks from addresses of its own (X-Forwarded-For from a trusted loopback proxy), so the
 * counters it fills are its alone, in Redis too.
 */

const REDIS_URL = process.env.PXAUTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WRONG = 'not-the-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request that reaches the throttle and costs nothing else: no partner credentials (401). */
const probe = (t: TestApp, addr: string) =>
  t.plaid('/users/auth_token', { username: 'x', password: 'y' }, { client: null, headers: from(addr) });

function expectThrottled(r: Res): void {
  expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
  const retryAt = Date.parse(r.body.error.retry_at);
  expect(retryAt).toBeGreaterThan(Date.now() - 100);
  expect(retryAt).toBeLessThan(Date.now() + 3_000);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('throttling: docs/operations.md#shedding-and-throttling', () => {
  describe('per address and per client, in one process', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ THROTTLE_PER_ADDRESS: '5', THROTTLE_PER_CLIENT: '3', TRUST_PROXY: 'loopback' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('past THROTTLE_PER_ADDRESS one address gets 503 with retry_at; another address and the probes do not', async () => {
      const a = address();
      // At once, so that all eight fall in one second however slow the machine is.
      const answers = await burst(8, () => probe(t, a));
      expect(answers.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 503, 503, 503]);
      const throttled = answers.filter((r) => r.status === 503);
      for (const r of throttled) expectThrottled(r);
      expect((await probe(t, address())).status).toBe(401);
      // Health checks are not Plaid's endpoints: a load balancer is never throttled.
      const health = await t.plaid('/healthz', undefined, { client: null, headers: from(a) });
      expect(health.status).not.toBe(503);
      // After retry_at the address is answered again.
      await sleep(Math.max(...throttled.map((r) => Date.parse(r.body.error.retry_at))) - Date.now() + 50);
      expect((await probe(t, a)).status).toBe(401);
    });

    it('a throttled login does not count towards the lockout', async () => {
      const u = await t.createUser('Throttled');
      const a = address();
      const answers = await sequence(8, () => t.login(u.username, WRONG, {}, from(a)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(3);
      const view = await t.admin('GET', `/admin/users/${u.userId}`);
      expect(view.body.lock).toMatchObject({
        locked: false,
        consecutive_failures: statuses.filter((s) => s === 401).length,
      });
    });

    it('past THROTTLE_PER_CLIENT one Plaid client gets 503; another client does not, and a wrong secret spends nothing', async () => {
      const mk = async () => (await t.admin('POST', '/admin/clients', { name: `throttle ${randomInt(1e9)}` })).body;
      const one = await mk();
      const two = await mk();
      const as = (c: { client_id: string; client_secret: string }, secret = c.client_secret) =>
        t.plaid(
          '/users/auth_token',
          { username: 'nobody', password: WRONG },
          {
            client: { id: c.client_id, secret },
            headers: from(address()),
          },
        );
      // Someone who knows the client id but not the secret cannot use up the client's allowance.
      const forged = await sequence(5, () => as(one, 'f'.repeat(64)));
      expect(forged.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
      // At once, so that all five fall in one one-second window even on a slow machine.
      const answers = await burst(5, () => as(one));
      expect(answers.map((r) => r.status).sort()).toEqual([401, 401, 401, 503, 503]);
      for (const r of answers.filter((x) => x.status === 503)) expectThrottled(r);
      expect((await as(two)).status).toBe(401);
    });
  });

  describe('shared across replicas through Redis (REDIS_URL)', () => {
    const apps: TestApp[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
    });
    const pair = async (env: Record<string, string>) => {
      const started = await Promise.all([TestApp.start(env), TestApp.start(env)]);
      apps.push(...started);
      return started;
    };

    it('two instances with one Redis hold one limit between them', async () => {
      const [a, b] = await pair({ THROTTLE_PER_ADDRESS: '4', TRUST_PROXY: 'loopback', REDIS_URL });
      const addr = address();
      const answers = await burst(8, (i) => probe(i % 2 ? b : a, addr));
      expect(answers.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 503, 503, 503, 503]);
      for (const r of answers.filter((x) => x.status === 503)) expectThrottled(r);
    });

    it('without Redis each instance counts alone (the control: the same calls all pass)', async () => {
      const [a, b] = await pair({ THROTTLE_PER_ADDRESS: '4', TRUST_PROXY: 'loopback' });
      const addr = address();
      const answers = await burst(8, (i) => probe(i % 2 ? b : a, addr));
      expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401]);
    });

    it('a Redis that cannot be reached: each instance holds the limit alone, no 500, no hang', async () => {
      const [a] = await pair({
        THROTTLE_PER_ADDRESS: '1',
        TRUST_PROXY: 'loopback',
        REDIS_URL: 'redis://127.0.0.1:1',
      });
      const addr = address();
      const started = Date.now();
      const answers = await sequence(3, () => probe(a, addr));
      expect(answers.map((r) => r.status)).toEqual([401, 503, 503]);
      for (const r of answers.slice(1)) expectThrottled(r);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(a.logs.join('')).toMatch(/Redis did not answer; throttling per process for now/);
    });
  });
});
