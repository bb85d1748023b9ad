import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { Nginx } from '../support/nginx';
import { Replica, adminCall } from '../support/replica';

/**
 * compose.yaml's proxy: deploy/nginx.conf itself, run by Debian's nginx in front of two
 * pxauth replicas on one PostgreSQL database. Plaid must see pxauth's contract through it: the request
 * id echoed, pxauth's own 400 for an oversized body, and nginx's own answers in pxauth's envelope.
 */
describe("compose.yaml's proxy: deploy/nginx.conf in front of two replicas", () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-proxy-'));
  let db: TestDatabase;
  let replicas: Replica[];
  let nginx: Nginx;
  const PLAID = { 'X-PLAID-CLIENT-ID': 'sandbox-client', 'X-PLAID-SECRET': 'sandbox-secret' };

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${nginx.base}/users/auth_token`, {
      method: 'POST',
      headers: { ...PLAID, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, body: JSON.parse(text) as Record<string, any> };
  };
  const login = (password: string, headers: Record<string, string> = {}) =>
    post(new URLSearchParams({ username: 'user_good', password }).toString(), headers);

  const expectEnvelope = (r: Awaited<ReturnType<typeof post>>, status: number, id: string) => {
    expect({ status: r.status, id: r.body.error?.id }).toEqual({ status, id });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body.request_id).toBe(r.headers.get('x-request-id'));
    expect(r.text).not.toMatch(/nginx|<html/i);
  };

  beforeAll(async () => {
    db = await createTestDatabase(dir);
    replicas = await Promise.all([1, 2].map(() => Replica.start({ DATABASE_URL: db.url, TRUST_PROXY: 'loopback' })));
    nginx = await Nginx.start(
      dir,
      replicas.map((r) => new URL(r.base).host),
    );
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes logins to both replicas; a token issued through one is live on the other', async () => {
    const answers = await Promise.all([0, 1, 2, 3].map(() => login('pass_good')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const r of replicas) {
      const i = await fetch(`${r.admin}/tokens/introspect`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sandbox-rs-key', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: answers[0].body.auth_token as string }).toString(),
      });
      expect(await i.json()).toMatchObject({ active: true, sub: answers[0].body.user_id });
    }
  });

  it('echoes a well-formed X-Request-Id to pxauth and back; makes one for a malformed id', async () => {
    const mine = await login('wrong-password', { 'X-Request-Id': 'plaid-req.42_A' });
    expectEnvelope(mine, 401, 'INVALID_CREDENTIALS');
    expect(mine.body.request_id).toBe('plaid-req.42_A');
    const userId = (await adminCall(replicas[1].admin, 'GET', '/admin/users?username=user_good')).body.users[0].user_id;
    const events = (await adminCall(replicas[1].admin, 'GET', `/admin/events?request_id=plaid-req.42_A`)).body.events;
    expect(events.map((e: { user_id: string; outcome: string }) => [e.user_id, e.outcome])).toEqual([
      [userId, 'invalid_credentials'],
    ]);
    const odd = await login('wrong-password', { 'X-Request-Id': 'x'.repeat(129) });
    expectEnvelope(odd, 401, 'INVALID_CREDENTIALS');
    expect(odd.body.request_id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(odd.body.request_id).not.toBe('x'.repeat(129));
    expect((await login('pass_good')).status).toBe(200);
  });

  it("lets pxauth refuse a body over 16 KiB in its envelope, and answers one over nginx's limit in the same", async () => {
    const large = await post(`username=user_good&password=${'p'.repeat(20_000)}`);
    expectEnvelope(large, 400, 'INVALID_REQUEST');
    expect(large.body.error.message).toMatch(/16384 bytes/);
    const huge = await post(`username=user_good&password=${'p'.repeat(100_000)}`, { 'X-Request-Id': 'huge-1' });
    expectEnvelope(huge, 400, 'INVALID_REQUEST');
    expect(huge.body.request_id).toBe('huge-1');
  });

  it('keeps answering on the other replica when one stops, and answers 503 with retry_at when none is left', async () => {
    await replicas[0].stop();
    const answers = await Promise.all([0, 1, 2, 3].map(() => login('pass_good')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await replicas[1].stop();
    const none = await login('pass_good', { 'X-Request-Id': 'none-left' });
    expectEnvelope(none, 503, 'SERVICE_UNAVAILABLE');
    expect(Object.keys(none.body.error).sort()).toEqual(['id', 'message', 'retry_at']);
    expect(Number.isNaN(Date.parse(none.body.error.retry_at as string))).toBe(false);
    expect(none.body.error.retry_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)$/);
    expect(none.headers.get('retry-after')).toBe('1');
    expect(none.body.request_id).toBe('none-left');
  });
});
