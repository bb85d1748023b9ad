import request from 'supertest';
import { CLIENT, TEST_ENGINE, TestApp, expectEnvelope, wrongTotp } from './support/harness';
import { Labels, sample, scrape as scrapeOf } from './support/metrics';

/** GET /metrics on the internal listener, in Prometheus' text format, fed by the domain events. */

describe('metrics: GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ LOCKOUT_THRESHOLD: '3' });
  });
  afterAll(() => t?.stop());

  const scrape = () => scrapeOf(t);
  /** How much each sample moved between two scrapes. */
  const moved = (before: string, after: string, name: string, labels: Labels = {}) =>
    sample(after, name, labels) - sample(before, name, labels);

  it('is on the internal listener only, with no key, and says what the runtime and the pool are doing', async () => {
    const text = await scrape();
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
    ])
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    // The admission control's gauges, by class: Plaid's legacy calls and the public sign-in pages.
    for (const c of ['legacy', 'oauth']) {
      expect(text).toMatch(new RegExp(`^pxauth_argon2_in_flight\\{class="${c}"\\} 0$`, 'm'));
      for (const state of ['running', 'queued'])
        expect(text).toMatch(new RegExp(`^pxauth_argon2_checks\\{state="${state}",class="${c}"\\} 0$`, 'm'));
    }
    // The pool the engine really has: pg's Pool on PostgreSQL (its own counts), SQLite's one shared connection.
    const engine = TEST_ENGINE === 'postgres' ? 'postgres' : 'better-sqlite3';
    const pool = (state: string) => sample(text, 'pxauth_db_pool_connections', { engine, state });
    expect(pool('total')).toBeGreaterThanOrEqual(1);
    expect(pool('idle') + pool('in_use')).toBe(pool('total'));
    if (engine === 'better-sqlite3') expect([pool('total'), pool('idle'), pool('in_use')]).toEqual([1, 0, 1]);
    else expect(pool('idle')).toBeGreaterThanOrEqual(1);
    expectEnvelope(await t.plaid('/metrics'), 404, 'NOT_FOUND');
    const viaGet = await request(t.px.publicServer).get('/metrics');
    expect(viaGet.status).toBe(404);
  });

  it('moves on logins: by outcome, by route and status, latency, and one argon2 verify each', async () => {
    const before = await scrape();
    expect((await t.login('user_good')).status).toBe(200);
    expect((await t.login('user_good', 'wrong')).status).toBe(401);
    expect((await t.login('nobody_at_all', 'wrong')).status).toBe(401);
    const after = await scrape();
    expect(moved(before, after, 'pxauth_logins_total', { outcome: 'success' })).toBe(1);
    expect(moved(before, after, 'pxauth_logins_total', { outcome: 'invalid_credentials' })).toBe(2);
    const route = { listener: 'public', method: 'POST', route: '/users/auth_token' };
    expect(moved(before, after, 'pxauth_http_requests_total', { ...route, status: '200' })).toBe(1);
    expect(moved(before, after, 'pxauth_http_requests_total', { ...route, status: '401' })).toBe(2);
    expect(moved(before, after, 'pxauth_http_request_duration_seconds_count', route)).toBe(3);
    // Each login, the unknown username's included, is one argon2id verify of about 30 ms, of Plaid's class.
    const legacy = { class: 'legacy' };
    expect(moved(before, after, 'pxauth_argon2_verify_duration_seconds_count', legacy)).toBe(3);
    expect(moved(before, after, 'pxauth_argon2_verify_duration_seconds_bucket', { ...legacy, le: '0.005' })).toBe(0);
    expect(moved(before, after, 'pxauth_argon2_verify_duration_seconds_count', { class: 'oauth' })).toBe(0);
    // The staff scrape itself is counted on the internal listener.
    expect(sample(after, 'pxauth_http_requests_total', { listener: 'internal', route: '/metrics' })).toBeGreaterThan(0);
  });

  it('moves on challenges by kind and outcome and on sends by channel, with no user id in any label', async () => {
    const before = await scrape();
    const totp = await t.login('user_totp');
    expect(totp.status).toBe(202);
    const wrong = await t.twoFactor(totp.body.user_id, {
      challenge_id: totp.body.challenge.id,
      passcode: wrongTotp('JBSWY3DPEHPK3PXP'),
    });
    expectEnvelope(wrong, 401, 'INVALID_MFA');
    const otp = await t.otpChallenge('user_otp', 'voice');
    expect((await t.sendOtp(otp.userId, otp.challengeId, otp.method.id)).status).toBe(200);
    const again = await t.sendOtp(otp.userId, otp.challengeId, otp.method.id);
    expectEnvelope(again, 400, 'SEND_LIMIT_REACHED');
    const after = await scrape();
    expect(moved(before, after, 'pxauth_challenges_issued_total', { kind: 'totp' })).toBe(1);
    expect(moved(before, after, 'pxauth_challenges_issued_total', { kind: 'otp' })).toBe(1);
    expect(moved(before, after, 'pxauth_challenge_answers_total', { kind: 'totp', outcome: 'wrong' })).toBe(1);
    expect(moved(before, after, 'pxauth_otp_sends_total', { channel: 'voice', result: 'sent' })).toBe(1);
    expect(moved(before, after, 'pxauth_otp_sends_total', { channel: 'voice', result: 'limit_reached' })).toBe(1);
    const twoFa = { listener: 'public', method: 'POST', route: '/users/:user_id/2fa', status: '401' };
    expect(moved(before, after, 'pxauth_http_requests_total', twoFa)).toBe(1);
    expect(after).not.toContain(otp.userId);
    expect(after).not.toContain(totp.body.user_id);
  });

  it('moves on a lock and on a staff unlock', async () => {
    const u = await t.createUser('metrics_lock');
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await t.login(u.username, 'wrong')).status).toBe(401);
    expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');
    expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`, {}, 'sandbox-support-key')).status).toBe(200);
    const after = await scrape();
    expect(moved(before, after, 'pxauth_locks_total', { outcome: 'locked_temporarily' })).toBe(1);
    expect(moved(before, after, 'pxauth_logins_total', { outcome: 'locked' })).toBe(1);
    expect(moved(before, after, 'pxauth_unlocks_total')).toBe(1);
  });
});

describe('metrics: a real shed and a real throttle', () => {
  const moved = (before: string, after: string, name: string, labels: Labels = {}) =>
    sample(after, name, labels) - sample(before, name, labels);

  it('counts each login shed by the admission control, as the audit trail records it', async () => {
    // One check at a time and a 50 ms queue: of 16 logins at once (about 25 ms of argon2 each) most are shed.
    const t = await TestApp.start({ OVERLOAD_CONCURRENCY: '1', OVERLOAD_QUEUE_TIMEOUT: '50ms' });
    try {
      const before = await scrapeOf(t);
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => t.login(`nobody_shed_${i}`, 'wrong-password')),
      );
      const after = await scrapeOf(t);
      const shed = answers.filter((r) => r.status === 503);
      for (const r of shed) expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      expect(shed.length).toBeGreaterThan(0);
      expect(answers.filter((r) => r.status !== 503 && r.status !== 401)).toEqual([]);
      expect(moved(before, after, 'pxauth_sheds_total', { flow: 'login', class: 'legacy' })).toBe(shed.length);
      expect(moved(before, after, 'pxauth_logins_total', { outcome: 'overloaded' })).toBe(shed.length);
      expect(moved(before, after, 'pxauth_logins_total', { outcome: 'invalid_credentials' })).toBe(16 - shed.length);
      const route = { listener: 'public', method: 'POST', route: '/users/auth_token' };
      expect(moved(before, after, 'pxauth_http_requests_total', { ...route, status: '503' })).toBe(shed.length);
      // A shed check never ran: only the judged ones are argon2 verifies, each with its wait for a slot.
      const legacy = { class: 'legacy' };
      expect(moved(before, after, 'pxauth_argon2_verify_duration_seconds_count', legacy)).toBe(16 - shed.length);
      expect(moved(before, after, 'pxauth_argon2_queue_wait_seconds_count', legacy)).toBe(16 - shed.length);
    } finally {
      await t.stop();
    }
  });

  it('shows the admission queue while checks wait in it, and how long they waited', async () => {
    // One check at a time and a queue long enough for all: eight logins wait their turn, none is shed.
    const t = await TestApp.start({ OVERLOAD_CONCURRENCY: '1', OVERLOAD_QUEUE_TIMEOUT: '10s' });
    try {
      const before = await scrapeOf(t);
      let done = false;
      const burst = Promise.all(Array.from({ length: 8 }, (_, i) => t.login(`nobody_queued_${i}`, 'wrong'))).finally(
        () => (done = true),
      );
      let seen = { running: 0, queued: 0 };
      while (!done && seen.queued === 0) {
        const text = await scrapeOf(t);
        seen = {
          running: sample(text, 'pxauth_argon2_checks', { state: 'running', class: 'legacy' }),
          queued: sample(text, 'pxauth_argon2_checks', { state: 'queued', class: 'legacy' }),
        };
      }
      expect((await burst).map((r) => r.status)).toEqual(Array(8).fill(401));
      expect(seen.running).toBe(1);
      expect(seen.queued).toBeGreaterThan(0);
      const after = await scrapeOf(t);
      const legacy = { class: 'legacy' };
      expect(sample(after, 'pxauth_argon2_checks', { state: 'running', ...legacy })).toBe(0);
      expect(sample(after, 'pxauth_argon2_checks', { state: 'queued', ...legacy })).toBe(0);
      expect(moved(before, after, 'pxauth_argon2_queue_wait_seconds_count', legacy)).toBe(8);
      // Seven of them waited for at least one check of about 20 ms or more.
      expect(moved(before, after, 'pxauth_argon2_queue_wait_seconds_sum', legacy)).toBeGreaterThan(0.1);
    } finally {
      await t.stop();
    }
  });

  it('counts a request that the body parser refuses', async () => {
    const t = await TestApp.start();
    try {
      const before = await scrapeOf(t);
      const r = await request(t.px.publicServer)
        .post('/users/auth_token')
        .set({ 'X-PLAID-CLIENT-ID': CLIENT.id, 'X-PLAID-SECRET': CLIENT.secret, 'Content-Type': 'text/plain' })
        .send('username=a&password=b');
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      const after = await scrapeOf(t);
      const labels = { listener: 'public', method: 'POST', status: '400' };
      expect(moved(before, after, 'pxauth_http_requests_total', { ...labels, route: 'unmatched' })).toBe(1);
    } finally {
      await t.stop();
    }
  });

  it('counts each request throttled per source address, and it is no login', async () => {
    const t = await TestApp.start({ THROTTLE_PER_ADDRESS: '2' });
    try {
      const before = await scrapeOf(t);
      const answers = await Promise.all(Array.from({ length: 6 }, () => t.login('user_good', 'wrong-password')));
      const after = await scrapeOf(t);
      const throttled = answers.filter((r) => r.status === 503);
      for (const r of throttled) expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      expect(throttled.length).toBeGreaterThan(0);
      expect(moved(before, after, 'pxauth_throttles_total', { scope: 'per_address' })).toBe(throttled.length);
      expect(moved(before, after, 'pxauth_throttles_total', { scope: 'per_client' })).toBe(0);
      expect(moved(before, after, 'pxauth_logins_total', { outcome: 'invalid_credentials' })).toBe(
        6 - throttled.length,
      );
    } finally {
      await t.stop();
    }
  });
});
