import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';

/**
 * The management listener (docs/api.md, "Listeners"): with MANAGEMENT_PORT set, /metrics, /healthz and
 * /readyz answer there and nothing else does, and /metrics leaves the internal (staff) listener. The
 * scraper reaches the management port on an address where the staff port is not listening at all:
 * the internal listener stays on 127.0.0.1, the management one on 127.0.0.2 (both loopback on Linux).
 */
describe(`management listener (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let management: string;
  const get = async (url: string) => {
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    const text = await r.text();
    return { status: r.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined, headers: r.headers };
  };

  beforeAll(async () => {
    t = await TestApp.start({ MANAGEMENT_HOST: '127.0.0.2', MANAGEMENT_PORT: '0' });
    management = t.px.managementUrl!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the scrape and the probes on its own address, and says where it is at start', async () => {
    expect(management).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect((await t.login('user_good')).status).toBe(200);
    const scrape = await get(`${management}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(scrape.text).toMatch(
      /pxauth_http_requests_total\{listener="public",method="POST",route="\/users\/auth_token",status="200"\} 1/,
    );
    // Which version runs on which Node: in the scrape, in /healthz and in the start-up line.
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(scrape.text).toContain(`pxauth_build_info{version="${version}",node="${process.version}"} 1`);
    const health = await get(`${management}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', version, node: process.version });
    expect(t.logs.join('')).toContain(`"version":"${version}"`);
    expect((await get(`${management}/readyz`)).status).toBe(200);
    expect(t.logs.join('')).toContain(`"management":"${management}"`);
  });

  it('answers nothing else: staff, introspection, the console and Plaid are 404 in the envelope', async () => {
    for (const path of ['/admin/users', '/console', '/openapi.json', '/users/auth_token']) {
      const r = await get(`${management}${path}`);
      expect([path, r.status, r.body?.error?.id]).toEqual([path, 404, 'NOT_FOUND']);
    }
    const post = await fetch(`${management}/tokens/introspect`, { method: 'POST', body: 'token=x' });
    expect(post.status).toBe(404);
  });

  it('takes /metrics off the staff listener, which a caller on the management address cannot reach at all', async () => {
    expectEnvelope(await t.admin('GET', '/metrics'), 404, 'NOT_FOUND');
    // The probes stay on every listener, as before.
    expect((await t.admin('GET', '/healthz')).status).toBe(200);
    const staffPort = new URL(t.px.internalUrl).port;
    await expect(fetch(`http://127.0.0.2:${staffPort}/admin/users`)).rejects.toThrow();
  });
});
