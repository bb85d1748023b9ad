import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { TestApp, expectEnvelope } from '../support/harness';
import { tokenRequest } from '../support/oauth';
import { TcpProxy } from '../support/tcp-proxy';

/** The database goes away (a proxy in front of it is cut) and comes back, without a restart. */
describe('database outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-outage-'));
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(dir);
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(db.url);
    url.port = String(await proxy.start());
    t = await TestApp.start(
      { DATABASE_URL: url.toString(), DB_CONNECT_TIMEOUT: '1s', DB_STATEMENT_TIMEOUT: '2s', DB_RETRY_AFTER: '5s' },
      dir,
    );
  });
  afterAll(async () => {
    await t.stop(false);
    await proxy.cut();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with retry_at while the database is gone, and 200 again once it is back', async () => {
    const user = await t.userIdOf('user_otp');
    const a = await t.login('user_otp');
    expect(a.status).toBe(202);
    const guardBefore = (await t.admin('GET', `/admin/users/${user}`)).body.lock;

    await proxy.cut();
    const during = await Promise.all([
      t.login('user_good'),
      t.login('user_good', 'wrong-password'),
      t.sendOtp(a.body.user_id, a.body.challenge.id, a.body.challenge.send_methods[0].id),
      t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: '123456' }),
    ]);
    for (const r of during) {
      expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      const retryAt = Date.parse(r.body.error.retry_at);
      expect(r.body.error.retry_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(retryAt).toBeGreaterThan(Date.now());
    }
    // OAuth's token endpoint says the same in its own format (RFC 6749 5.2), as an OAuth client expects.
    const token = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) });
    expect([token.status, token.body.error]).toEqual([503, 'temporarily_unavailable']);
    expect(Date.parse(token.body.retry_at)).toBeGreaterThan(Date.now());
    expect(Number(token.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(token.text).not.toMatch(/ECONNREFUSED|QueryFailedError|stack/i);
    const ready = await fetch(`${t.px.publicUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${t.px.publicUrl}/healthz`)).status).toBe(200);

    await proxy.restore();
    let back = await t.login('user_good');
    for (let i = 0; back.status !== 200 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await t.login('user_good');
    }
    expect(back.status).toBe(200);
    expect((await fetch(`${t.px.publicUrl}/readyz`)).status).toBe(200);

    // Nothing half-written: the outage counted no failure and used none of the challenge.
    expect((await t.admin('GET', `/admin/users/${user}`)).body.lock).toEqual(guardBefore);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect((await t.sendOtp(a.body.user_id, a.body.challenge.id, sms.id)).status).toBe(200);
    const code = await t.outboxCode('+14155550123');
    expect((await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: code! })).status).toBe(
      200,
    );
  });
});
