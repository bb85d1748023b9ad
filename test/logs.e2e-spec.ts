import request from 'supertest';
import { CLIENT, KBA_ANSWERS, KEYS, PASSWORD, TestApp, expectEnvelope } from './support/harness';

/**
 * Issue 10 (logs): a capture of a run that goes through every kind of answer, sheds and throttles
 * included, is JSON lines; each line of a request carries its request id; no secret is in any line;
 * and the start-up line says where the listeners are, which database, delivery, credential source
 * and whether this is the sandbox.
 */

const OTP_PHONE = '+14155550123';
const WRONG = 'Wr0ng-Log-Guess-Zulu';

describe('logs of an e2e run (issue 10)', () => {
  let t: TestApp;
  const secrets = new Map<string, string>();
  const requestIds = new Set<string>();
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
    const { userId, challengeId, method } = await t.otpChallenge('user_otp', 'sms');
    seen(await t.sendOtp(userId, challengeId, method.id));
    const code = (await t.outboxCode(OTP_PHONE))!;
    secrets.set('passcode', code);
    const otp = await t.twoFactor(userId, { challenge_id: challengeId, passcode: code });
    expect(otp.status).toBe(200);
    seen(otp);
    secrets.set('2fa auth_token', otp.body.auth_token);

    // KBA answers
    const kba = await t.login('user_kba', PASSWORD, {}, from(3));
    const form = t.kbaForm(kba.body.challenge.id, kba.body.challenge.questions);
    const kbaDone = await t.twoFactor(kba.body.user_id, form);
    expect(kbaDone.status).toBe(200);
    seen(kbaDone);
    for (const a of Object.values(KBA_ANSWERS)) secrets.set(`kba answer ${a}`, a);

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

  it('every line logged while serving a request carries the request id', () => {
    // Before the start-up line the sandbox was seeded, outside any request.
    const served = lines.slice(lines.findIndex((l) => l.msg === 'pxauth started') + 1);
    const ofRequests = served.filter(
      (l) => l.req || l.res || ['Audit', 'Throttle', 'Errors', 'Outbox'].includes(l.context),
    );
    expect(ofRequests.length).toBeGreaterThan(requestIds.size);
    const without = ofRequests.filter((l) => typeof l.request_id !== 'string' || !l.request_id);
    expect(without).toEqual([]);
  });

  it('no password, passcode, answer, secret, staff key or token in any line', () => {
    const text = t.logs.join('');
    const found = [...secrets].filter(([, v]) => text.includes(v)).map(([label]) => label);
    expect(found).toEqual([]);
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
