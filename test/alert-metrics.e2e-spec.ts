import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, sourceAddress } from './support/bursts';
import { TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { createTestDatabase } from './support/databases';
import { sample, scrape } from './support/metrics';
import { Replica } from './support/replica';
import { TcpProxy } from './support/tcp-proxy';

/**
 * The gauges an operator alerts on (docs/operations.md, "Metrics"): an open circuit breaker, maintenance mode, and
 * throttling held per process because Redis does not answer; and Nest's own start-up lines kept out of
 * a start at LOG_LEVEL=info.
 */
const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = Number(process.env.PXAUTH_TEST_REDIS_PORT ?? 6379);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(`alerting gauges (${TEST_ENGINE})`, () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
  });
  const start = async (env: Record<string, string>) => {
    const t = await TestApp.start(env);
    apps.push(t);
    return t;
  };

  it('pxauth_breaker_open: 0 while the bank answers nothing yet, 1 once its endpoint failed in a row', async () => {
    const t = await start({
      CREDENTIAL_SOURCE: 'http',
      UPSTREAM_VERIFY_URL: `http://127.0.0.1:${await closedPort()}/verify`,
      UPSTREAM_HMAC_KEY: 'bank-shared-hmac-key-0123456789abcdef',
      UPSTREAM_BREAKER_FAILURES: '2',
      UPSTREAM_BREAKER_COOLDOWN: '10m',
    });
    expect(sample(await scrape(t), 'pxauth_breaker_open', { breaker: 'credential_source' })).toBe(0);
    expect(await scrape(t)).toMatch(/^pxauth_breaker_open\{breaker="credential_source"\} 0$/m);
    expectEnvelope(await t.login('alice', 'alice-pw'), 503, 'SERVICE_UNAVAILABLE');
    expect(sample(await scrape(t), 'pxauth_breaker_open', { breaker: 'credential_source' })).toBe(0);
    expectEnvelope(await t.login('alice', 'alice-pw'), 503, 'SERVICE_UNAVAILABLE');
    expect(await scrape(t)).toMatch(/^pxauth_breaker_open\{breaker="credential_source"\} 1$/m);
  });

  it('pxauth_breaker_open has no credential_source series with the local source, which calls nothing', async () => {
    const t = await start({});
    const text = await scrape(t);
    expect(text).not.toMatch(/^pxauth_breaker_open\{breaker="credential_source"\}/m);
    // The passcode channels have one each (docs/passcode-delivery.md), closed while sends go through.
    for (const type of ['sms', 'voice', 'email'])
      expect(sample(text, 'pxauth_breaker_open', { breaker: `delivery_${type}` })).toBe(0);
  });

  it('pxauth_maintenance_mode follows PUT /admin/maintenance, on every replica of one database', async () => {
    const a = await start({});
    const b = await start({ DATABASE_URL: a.databaseUrl });
    const gauge = async (t: TestApp) => {
      const text = await scrape(t);
      expect(text).toMatch(/^pxauth_maintenance_mode [01]$/m);
      return sample(text, 'pxauth_maintenance_mode');
    };
    expect([await gauge(a), await gauge(b)]).toEqual([0, 0]);
    expect((await a.admin('PUT', '/admin/maintenance', { enabled: true })).status).toBe(200);
    expectEnvelope(await b.login('user_good'), 503, 'SERVICE_UNAVAILABLE');
    expect([await gauge(a), await gauge(b)]).toEqual([1, 1]);
    expect((await b.admin('PUT', '/admin/maintenance', { enabled: false })).status).toBe(200);
    expect([await gauge(a), await gauge(b)]).toEqual([0, 0]);
    expect((await a.login('user_good')).status).toBe(200);
  });

  it('pxauth_throttle_store_fallback: 1 while Redis cannot be reached, 0 once it answers again', async () => {
    const redis = new TcpProxy(REDIS_HOST, REDIS_PORT);
    const port = await redis.start();
    try {
      const t = await start({
        THROTTLE_PER_ADDRESS: '1000',
        TRUST_PROXY: 'loopback',
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      const addr = sourceAddress();
      // A request that reaches the throttle and costs nothing else: no partner credentials (401).
      const probe = () =>
        t.plaid('/users/auth_token', { username: 'x', password: 'y' }, { client: null, headers: from(addr) });
      const gauge = async () => sample(await scrape(t), 'pxauth_throttle_store_fallback');
      expect((await probe()).status).toBe(401);
      expect(await scrape(t)).toMatch(/^pxauth_throttle_store_fallback 0$/m);

      await redis.cut(); // the port is closed: Redis cannot be reached
      expect((await probe()).status).toBe(401);
      expect(await gauge()).toBe(1);
      expect(t.logs.join('')).toMatch(/Redis did not answer; throttling per process for now/);

      await redis.restore(); // the same port, Redis behind it again
      // Redis is asked again LOCAL_FALLBACK_MS after the failure, by the next request, once ioredis reconnected.
      let value = 1;
      for (let i = 0; i < 60 && value === 1; i++) {
        await sleep(250);
        expect((await probe()).status).toBe(401);
        value = await gauge();
      }
      expect(value).toBe(0);
    } finally {
      await redis.cut();
    }
  }, 60_000);
});

describe(`Nest's start-up lines, as \`node dist/main.js\` prints them (${TEST_ENGINE})`, () => {
  const BOOT_CONTEXTS = ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'];
  /** The JSON lines of one start and stop of the built server, on a database of its own. */
  const startAndStop = async (level: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-boot-'));
    const db = await createTestDatabase(dir);
    try {
      const r = await Replica.start({ DATABASE_URL: db.url, LOG_LEVEL: level, LOG_FORMAT: 'json' });
      await r.stop();
      return r.output
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string; context?: string });
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("at LOG_LEVEL=info: none of them; pxauth's own lines, the summary among them", async () => {
    const lines = await startAndStop('info');
    expect(lines.filter((l) => BOOT_CONTEXTS.includes(l.context ?? ''))).toEqual([]);
    expect(lines.filter((l) => l.msg === 'pxauth started')).toHaveLength(1);
  }, 90_000);

  it('at LOG_LEVEL=debug: each of them, at debug (20); the summary still at info (30)', async () => {
    const lines = await startAndStop('debug');
    const boot = lines.filter((l) => BOOT_CONTEXTS.includes(l.context ?? ''));
    for (const msg of [
      'Starting Nest application...',
      'MetricsModule dependencies initialized',
      'MetricsController {/metrics}:',
      'Mapped {/users/auth_token, POST} route',
      'Nest application successfully started',
    ])
      expect(boot.map((l) => l.msg)).toContain(msg);
    expect(new Set(boot.map((l) => l.level))).toEqual(new Set([20]));
    expect(lines.find((l) => l.msg === 'pxauth started')?.level).toBe(30);
  }, 90_000);
});
