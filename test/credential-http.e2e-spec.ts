import { BankServer } from './support/bank-server';
import { TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { expectUnavailable, failures, lastLoginEvent, sleep, userView } from './support/sources';

/**
 * CREDENTIAL_SOURCE=http (docs/credential-sources.md) against a real HTTP server that plays the bank and
 * checks the signature: the four answers through to Plaid's status, the same user_id after a rename,
 * then trouble (a hang, garbage, a 500, the bank gone) with the breaker, and the lockout count at each step.
 */
const KEY = 'bank-shared-hmac-key-0123456789abcdef';
const COOLDOWN_MS = 1500;
const TIMEOUT_MS = 1500;

describe(`credential source http (${TEST_ENGINE})`, () => {
  const bank = new BankServer(KEY);
  let t: TestApp;
  let aliceId: string;

  beforeAll(async () => {
    await bank.start();
    bank.users.set('alice', { password: 'alice-pw', reference: 'cust-1001' });
    bank.users.set('otto', { password: 'otto-pw', reference: 'cust-1002', phone: '+14155550177' });
    bank.users.set('lena', { password: 'lena-pw', reference: 'cust-1003', state: 'locked' });
    bank.users.set('nora', { password: 'nora-pw', reference: 'cust-1004', state: 'not_allowed' });
    bank.users.set('tess', { password: 'tess-pw', reference: 'cust-1005', terms_pending: true });
    t = await TestApp.start({
      CREDENTIAL_SOURCE: 'http',
      UPSTREAM_VERIFY_URL: bank.url,
      UPSTREAM_HMAC_KEY: KEY,
      UPSTREAM_TIMEOUT: `${TIMEOUT_MS}ms`,
      UPSTREAM_BREAKER_FAILURES: '3',
      UPSTREAM_BREAKER_COOLDOWN: `${COOLDOWN_MS}ms`,
    });
  });
  afterAll(async () => {
    await t?.stop();
    await bank.stop();
  });

  it('valid: 200 with a user_id; a shadow user exists, says it comes from http; staff cannot give it a password here', async () => {
    const r = await t.login('alice', 'alice-pw');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(['auth_token', 'user_id']);
    aliceId = r.body.user_id;
    const v = await userView(t, aliceId);
    expect(v).toMatchObject({ username: 'alice', source: { kind: 'http', reference: 'cust-1001' } });
    // The bank saw exactly the body docs/credential-sources.md gives, signed (the server refuses anything unsigned).
    expect(bank.refused).toBe(0);
    expect(Object.keys(bank.accepted.at(-1)!).sort()).toEqual(['institution_id', 'password', 'request_id', 'username']);
    expect(bank.accepted.at(-1)).toMatchObject({ username: 'alice', password: 'alice-pw', institution_id: 'default' });
    expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
    const made = (await t.events(aliceId)).find((e) => e.type === 'user_create');
    expect(made).toMatchObject({ outcome: 'created', detail: { source: 'http', at: 'first_login' } });
    // A shadow user's password lives at the bank: staff cannot set one here.
    const set = await t.admin('POST', `/admin/users/${aliceId}/password`, { password: 'x-Secret-123456' });
    expect(set.status).toBe(409);
  });

  it('the same user_id on every login, and after the bank renames the customer', async () => {
    expect((await t.login('Alice ', 'alice-pw')).body.user_id).toBe(aliceId);
    bank.users.set('alice.smith', bank.users.get('alice')!);
    bank.users.delete('alice');
    const r = await t.login('alice.smith', 'alice-pw');
    expect(r.status).toBe(200);
    expect(r.body.user_id).toBe(aliceId);
    expect((await userView(t, aliceId)).username).toBe('alice.smith');
  });

  it('five first logins at once make one shadow user', async () => {
    bank.users.set('quin', { password: 'quin-pw', reference: 'cust-5001' });
    const all = await Promise.all(Array.from({ length: 5 }, () => t.login('quin', 'quin-pw')));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(all.map((r) => r.body.user_id)).size).toBe(1);
    expect((await t.admin('GET', '/admin/users?username=quin')).body.users).toHaveLength(1);
  });

  it('a name freed by a rename at the bank goes to its new holder; each keeps its own user_id', async () => {
    bank.users.set('carol', { password: 'carol-pw', reference: 'cust-2001' });
    const carolId = (await t.login('carol', 'carol-pw')).body.user_id as string;
    // At the bank, carol becomes caroline and another customer takes the name carol.
    bank.users.set('caroline', bank.users.get('carol')!);
    bank.users.set('carol', { password: 'bob-pw', reference: 'cust-2002' });
    const bob = await t.login('carol', 'bob-pw');
    expect(bob.status).toBe(200);
    expect(bob.body.user_id).not.toBe(carolId);
    const caroline = await t.login('caroline', 'carol-pw');
    expect(caroline.body.user_id).toBe(carolId);
    expect(await userView(t, carolId)).toMatchObject({ username: 'caroline', source: { reference: 'cust-2001' } });
    expect(await userView(t, bob.body.user_id)).toMatchObject({
      username: 'carol',
      source: { reference: 'cust-2002' },
    });
  });

  it('a local user from before the switch to http keeps its user_id and becomes the shadow', async () => {
    const local = await t.createUser('legacy');
    bank.users.set(local.username.toLowerCase(), { password: 'at-the-bank', reference: 'cust-3001' });
    const r = await t.login(local.username, 'at-the-bank');
    expect(r.body.user_id).toBe(local.userId);
    expect((await userView(t, local.userId)).source).toEqual({ kind: 'http', reference: 'cust-3001' });
  });

  it('a phone from the bank gives an OTP challenge (202), refreshed at each login', async () => {
    const first = await t.login('otto', 'otto-pw');
    expect(first.status).toBe(202);
    expect(first.body.challenge.send_methods.map((m: { mask: string }) => m.mask)).toContain('(***) ***-0177');
    bank.users.get('otto')!.phone = '+14155550199';
    const again = await t.login('otto', 'otto-pw');
    expect(again.body.user_id).toBe(first.body.user_id);
    const sms = again.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect(sms.mask).toBe('(***) ***-0199');
    expect((await t.sendOtp(again.body.user_id, again.body.challenge.id, sms.id)).status).toBe(200);
    const code = await t.outboxCode('+14155550199');
    const done = await t.twoFactor(again.body.user_id, { challenge_id: again.body.challenge.id, passcode: code! });
    expect(done.status).toBe(200);
  });

  it('invalid: 401, counted like a wrong password; a completed login clears it; unknown usernames lock the same way', async () => {
    const calls = bank.accepted.length;
    const wrong = await t.login('alice.smith', 'wrong');
    const unknown = await t.login('ghost', 'wrong');
    expectEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
    expectEnvelope(unknown, 401, 'INVALID_CREDENTIALS');
    // The same work on pxauth's side for both: one call to the bank, the same answer.
    expect(bank.accepted.length).toBe(calls + 2);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(await failures(t, aliceId)).toEqual({ failures: 1, locked: false });
    expect((await t.login('alice.smith', 'alice-pw')).status).toBe(200);
    expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });

    for (let i = 0; i < 4; i++) expectEnvelope(await t.login('ghost', 'wrong'), 401, 'INVALID_CREDENTIALS');
    const before = bank.accepted.length;
    expectEnvelope(await t.login('ghost', 'anything'), 403, 'ACCOUNT_LOCKED');
    expect(bank.accepted.length).toBe(before); // locked: the bank is not asked
  });

  it('locked at the bank: 403, not counted; not allowed or terms pending: 405, not counted', async () => {
    const lena = bank.users.get('lena')!;
    delete lena.state;
    const lenaId = (await t.login('lena', 'lena-pw')).body.user_id as string;
    lena.state = 'locked';
    for (let i = 0; i < 6; i++) expectEnvelope(await t.login('lena', 'any'), 403, 'ACCOUNT_LOCKED');
    expect(await failures(t, lenaId)).toEqual({ failures: 0, locked: false });
    expect(await lastLoginEvent(t, lenaId)).toMatchObject({ outcome: 'locked', detail: { decided_by: 'source' } });

    for (let i = 0; i < 6; i++) expectEnvelope(await t.login('nora', 'any'), 405, 'TERMS_NOT_ACCEPTED');
    expectEnvelope(await t.login('tess', 'tess-pw'), 405, 'TERMS_NOT_ACCEPTED');
    const tessId = await t.userIdOf('tess');
    expect(await failures(t, tessId)).toEqual({ failures: 0, locked: false });
    expect(await lastLoginEvent(t, tessId)).toMatchObject({ outcome: 'terms_not_accepted' });
  });

  it('keeps its connections to the bank alive: ten logins, at most one new connection', async () => {
    const before = bank.connections;
    for (let i = 0; i < 10; i++) expect((await t.login('alice.smith', 'alice-pw')).status).toBe(200);
    expect(bank.connections - before).toBeLessThanOrEqual(1);
  });

  describe('trouble: 503 with retry_at, nothing counted, an audit event with the reason', () => {
    const trouble = async (reason: string) => {
      const started = Date.now();
      const r = await t.login('alice.smith', 'alice-pw');
      expectUnavailable(r);
      expect(await lastLoginEvent(t, aliceId)).toMatchObject({
        outcome: 'source_unavailable',
        detail: { source: 'http', reason },
      });
      expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
      bank.mode = 'normal';
      bank.key = KEY;
      bank.clockSkew = 0;
      expect((await t.login('alice.smith', 'alice-pw')).status).toBe(200); // and back to normal
      return Date.now() - started;
    };

    it('the bank refuses a wrong key and a stale timestamp (its 401 is a 503 for Plaid, never a 401)', async () => {
      const refused = bank.refused;
      bank.key = 'a-key-pxauth-does-not-have-0123456789';
      await trouble('bad_status');
      bank.clockSkew = 301; // the bank's clock is 5 minutes and a second ahead: pxauth's timestamp is stale
      await trouble('bad_status');
      expect(bank.refused).toBe(refused + 2);
    });

    it('hangs: given up at UPSTREAM_TIMEOUT', async () => {
      bank.mode = 'hang';
      const took = await trouble('timeout');
      expect(took).toBeLessThan(TIMEOUT_MS + 2000);
    });

    it('answers garbage, or a known field of the wrong type', async () => {
      bank.mode = 'garbage';
      await trouble('malformed');
      bank.mode = 'wrong_type';
      await trouble('malformed');
    });

    it('answers 500', async () => {
      bank.mode = 'error_500';
      await trouble('bad_status');
    });
  });

  it('the breaker: opens after 3 failures (no call reaches the bank), probes once after the cooldown, then normal', async () => {
    bank.mode = 'error_500';
    const start = bank.accepted.length;
    for (let i = 0; i < 3; i++) expectUnavailable(await t.login('alice.smith', 'alice-pw'));
    expect(bank.accepted.length).toBe(start + 3);
    const open = await t.login('alice.smith', 'alice-pw');
    expectUnavailable(open);
    expect(bank.accepted.length).toBe(start + 3);
    expect(await lastLoginEvent(t, aliceId)).toMatchObject({ detail: { reason: 'breaker_open' } });
    // retry_at says when the breaker lets a call through again.
    expect(Date.parse(open.body.error.retry_at)).toBeGreaterThan(Date.now() + COOLDOWN_MS / 3);

    await bank.stop(); // the bank goes away altogether
    await sleep(COOLDOWN_MS + 100);
    expectUnavailable(await t.login('alice.smith', 'alice-pw')); // the probe finds nobody
    expect(await lastLoginEvent(t, aliceId)).toMatchObject({ detail: { reason: 'unreachable' } });
    expectUnavailable(await t.login('alice.smith', 'alice-pw'));
    expect(await lastLoginEvent(t, aliceId)).toMatchObject({ detail: { reason: 'breaker_open' } });

    bank.mode = 'normal';
    await bank.start(); // back, on the same port
    await sleep(COOLDOWN_MS + 100);
    bank.delayMs = 800; // the other two arrive while the probe is at the bank
    const before = bank.accepted.length;
    const burst = await Promise.all([0, 1, 2].map(() => t.login('alice.smith', 'alice-pw')));
    bank.delayMs = 0;
    expect(bank.accepted.length).toBe(before + 1); // one probe
    expect(burst.map((r) => r.status).sort()).toEqual([200, 503, 503]);
    for (let i = 0; i < 3; i++) expect((await t.login('alice.smith', 'alice-pw')).status).toBe(200);
    expect(bank.accepted.length).toBe(before + 4);
    expect(await failures(t, aliceId)).toEqual({ failures: 0, locked: false });
  });

  it('no password, nor the signing key, in any log line or in the database', () => {
    const logs = t.logs.join('');
    const stored = t.databaseBytes();
    for (const secret of ['alice-pw', 'otto-pw', 'bob-pw', 'at-the-bank', KEY]) {
      expect({ secret, inLogs: logs.includes(secret), stored: stored.includes(secret) }).toEqual({
        secret,
        inLogs: false,
        stored: false,
      });
    }
  });
});
