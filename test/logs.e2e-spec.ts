import request from 'supertest';
import { CLIENT, KBA_ANSWERS, KEYS, PASSWORD, TOTP_SECRET, TestApp, expectEnvelope } from './support/harness';
import { storedRows } from './support/stored';

/**
 * A capture of a run that goes through every kind of answer, sheds and throttles
 * included, is JSON lines; each line of a request carries its request id; no secret is in any line;
 * and the start-up line says where the listeners are, which database, delivery, credential source
 * and whether this is the sandbox.
 */

const OTP_PHONE = '+14155550123';
const WRONG = 'Wr0ng-Log-Guess-Zulu';

describe('logs of an e2e run', () => {
  let t: TestApp;
  const secrets = new Map<string, string>();
  const requestIds = new Set<string>();
  /** Matched as a number of its own: six digits also occur inside a millisecond timestamp. */
  let passcode = '';
  let lines: Record<string, any>[];

  beforeAll(async () => {
    t = await TestApp.start({
      THROTTLE_PER_ADDRESS: '6',
      TRUST_PROXY: 'loopback',
      OVERLOAD_CONCURRENCY: '1',
      OVERLOAD_QUEUE_TIMEOUT: '50ms',
    });
    const seen = (r: { headers: Record<string, string> }) => requestIds.add(r.headers['x-request-id']);
    const from = (n: number) => ({ 'X-Forwarded-For': `203.0.113.${n}` });

    const good = await t.login('user_good', PASSWORD, {}, from(1));
    seen(good);
    secrets.set('auth_token', good.body.auth_token);
    seen(await t.login('user_good', WRONG, {}, from(2)));
    secrets.set('wrong password', WRONG);
    secrets.set('password', PASSWORD);
    secrets.set('client secret', CLIENT.secret);

    // An OTP round: the passcode is in the outbox (a delivery channel) and in no log line.
    const { userId, challengeId, method, login } = await t.otpChallenge('user_otp', 'sms');
    seen(login);
    seen(await t.sendOtp(userId, challengeId, method.id));
    const code = (await t.outboxCode(OTP_PHONE))!;
    passcode = code;
    const otp = await t.twoFactor(userId, { challenge_id: challengeId, passcode: code });
    expect(otp.status).toBe(200);
    seen(otp);
    secrets.set('2fa auth_token', otp.body.auth_token);

    // KBA answers
    const kba = await t.login('user_kba', PASSWORD, {}, from(3));
    seen(kba);
    const form = t.kbaForm(kba.body.challenge.id, kba.body.challenge.questions);
    const kbaDone = await t.twoFactor(kba.body.user_id, form);
    expect(kbaDone.status).toBe(200);
    seen(kbaDone);
    secrets.set('kba auth_token', kbaDone.body.auth_token);
    for (const a of Object.values(KBA_ANSWERS)) {
      secrets.set(`kba answer ${a}`, a);
      secrets.set(`kba answer ${a}, as compared`, a.toLowerCase());
    }
    // What the server keeps: password hashes, the TOTP secret, the sandbox's encryption key.
    const hashes = await storedRows<{ password_hash: string }>(t, 'SELECT password_hash FROM users');
    hashes.forEach((h, i) => secrets.set(`password hash ${i}`, h.password_hash));
    secrets.set('totp secret', TOTP_SECRET);
    secrets.set('sandbox encryption key', 'pxauth-sandbox-encryption-key!!!');

    // Staff and the data API on the internal listener (staff keys are secrets too)
    const intro = await request(t.px.internalServer)
      .post('/tokens/introspect')
      .set('Authorization', `Bearer ${KEYS.rs}`)
      .type('form')
      .send({ token: good.body.auth_token });
    expect(intro.body.active).toBe(true);
    seen(intro);
    seen(await t.admin('GET', `/admin/users/${userId}`));
    for (const [role, key] of Object.entries(KEYS)) secrets.set(`${role} staff key`, key);

    // A throttled address, then a shed burst
    const throttled = [];
    for (let i = 0; i < 8; i++) throttled.push(await t.login('user_good', WRONG, {}, from(9)));
    expect(throttled.map((r) => r.status)).toContain(503);
    throttled.forEach(seen);
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.login(`nobody_${i}`, WRONG, {}, from(10 + i))),
    );
    const shed = burst.filter((r) => r.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    expectEnvelope(shed[0], 503, 'SERVICE_UNAVAILABLE');
    burst.forEach(seen);

    // pino writes asynchronously: wait until every request's completion line is in.
    const deadline = Date.now() + 10_000;
    for (;;) {
      lines = t.logs
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>);
      const done = new Set(lines.filter((l) => l.res).map((l) => l.request_id));
      if ([...requestIds].every((id) => done.has(id)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await t.stop();
  });

  it('every request, sheds and throttles included, has its completion line with its request id', () => {
    const completed = new Set(lines.filter((l) => l.res).map((l) => l.request_id));
    expect([...requestIds].filter((id) => !completed.has(id))).toEqual([]);
    expect(lines.filter((l) => l.res && l.res.status === 503).length).toBeGreaterThan(0);
  });

  it("every line logged while serving a request carries that request's id", () => {
    // Before the start-up line the sandbox was seeded, outside any request; after it, only the periodic
    // jobs (none run here: PURGE_INTERVAL=0) log outside one.
    const served = lines.slice(lines.findIndex((l) => l.msg === 'pxauth started') + 1);
    expect(served.length).toBeGreaterThan(requestIds.size * 2);
    const without = served.filter((l) => typeof l.request_id !== 'string' || !l.request_id);
    expect(without).toEqual([]);
    // Each id is one request's: the lines that name the request name the one its completion line names.
    const pathOf = (l: Record<string, any>) => (l.req?.path ?? l.req?.url) as string | undefined;
    const pathById = new Map(served.filter((l) => l.res).map((l) => [l.request_id as string, pathOf(l)]));
    for (const id of requestIds) expect([id, pathById.has(id)]).toEqual([id, true]);
    const strays = served.filter(
      (l) => !pathById.has(l.request_id) || (l.req && pathOf(l) !== pathById.get(l.request_id)),
    );
    expect(strays).toEqual([]);
    // The burst's logins ran at once: each one's audit line is its own (one login line per request id).
    const audits = served.filter((l) => l.context === 'Audit' && l.event === 'login');
    expect(audits.length).toBeGreaterThanOrEqual(20);
    expect(new Set(audits.map((l) => l.request_id)).size).toBe(audits.length);
    expect(served.filter((l) => pathOf(l)).length).toBeGreaterThanOrEqual(requestIds.size);
  });

  it('no password, passcode, answer, secret, staff key or token in any line', () => {
    const text = t.logs.join('');
    const found = [...secrets].filter(([, v]) => text.includes(v)).map(([label]) => label);
    expect(found).toEqual([]);
    expect(passcode).toMatch(/^\d{6}$/);
    expect(text).not.toMatch(new RegExp(`(^|[^0-9])${passcode}([^0-9]|$)`));
  });

  it('one start-up line names the listeners, the database, delivery, credential source and sandbox', () => {
    const started = lines.filter((l) => l.msg === 'pxauth started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      public: t.px.publicUrl,
      internal: t.px.internalUrl,
      delivery: 'outbox',
      credential_source: 'local',
      sandbox: true,
    });
    expect(started[0].database).toMatch(/^(sqlite:|postgres:\/\/)/);
    expect(started[0].database).not.toMatch(/:[^/@:]*@/);
  });
});
