import { BankServer, BankUser } from './support/bank-server';
import { Res, TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { Browser } from './support/oauth';
import { userView } from './support/sources';

/**
 * Locks follow the person (docs/security.md, "Locks follow the person"): a bank whose login takes a username, an
 * email or a customer number for one customer (a real HTTP server plays the bank, answering the same
 * reference for three identifiers). Once the bank said who it is, every lock, count and second-factor
 * attempt is that customer's, whatever was typed; wrong passwords count against the typed name.
 */
const KEY = 'bank-shared-hmac-key-identity-0123456789';
const THRESHOLD = 3;
const PHONE = '+14155550142';

describe(`locks follow the person (${TEST_ENGINE})`, () => {
  const bank = new BankServer(KEY);
  let t: TestApp;
  let other: { id: string; secret: string };
  let seq = 0;

  /** One customer under three identifiers, as the bank knows them; a new one per test. */
  const customer = () => {
    const n = ++seq;
    const ids = [`alice${n}`, `alice${n}@bank.example`, `00${40 + n}`];
    const who: BankUser = { password: `pw-${n}-Secret!`, reference: `cust-42-${n}`, phone: PHONE };
    for (const id of ids) bank.users.set(id, who);
    return { ids, who, login: (id: string, password = who.password) => t.login(id, password) };
  };
  const passcodeAfterSend = async (challenge: Res) => {
    const { user_id, challenge: c } = challenge.body;
    const sms = c.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect((await t.sendOtp(user_id, c.id, sms.id)).status).toBe(200);
    return (await t.outboxCode(PHONE))!;
  };
  const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');
  const answer = (userId: string, challengeId: string, passcode: string) =>
    t.twoFactor(userId, { challenge_id: challengeId, passcode });

  beforeAll(async () => {
    await bank.start();
    t = await TestApp.start({
      CREDENTIAL_SOURCE: 'http',
      UPSTREAM_VERIFY_URL: bank.url,
      UPSTREAM_HMAC_KEY: KEY,
      LOCKOUT_THRESHOLD: String(THRESHOLD),
      MFA_MAX_ATTEMPTS: '10',
    });
    const c = await t.admin('POST', '/admin/clients', { name: 'another Plaid client' });
    other = { id: c.body.client_id, secret: c.body.client_secret };
  });
  afterAll(async () => {
    await t?.stop();
    await bank.stop();
  });

  it('wrong passcodes through one identifier lock the customer: every identifier is then 403, until support unlocks', async () => {
    const c = customer();
    const first = await c.login(c.ids[0]);
    expect(first.status).toBe(202);
    const userId = first.body.user_id as string;
    const code = await passcodeAfterSend(first);
    for (let i = 0; i < THRESHOLD; i++) {
      expectEnvelope(await answer(userId, first.body.challenge.id, wrongOf(code)), 401, 'INVALID_MFA');
    }
    for (const id of c.ids) expectEnvelope(await c.login(id), 403, 'ACCOUNT_LOCKED');
    // Support sees the lock, whichever name the customer signed in with last.
    const v = await userView(t, userId);
    expect(v.lock).toMatchObject({ locked: true });
    expect((await t.events(userId)).filter((e) => e.type === 'lock')).toHaveLength(1);

    expect((await t.admin('POST', `/admin/users/${userId}/unlock`, { reason: 'customer verified' })).status).toBe(200);
    for (const id of c.ids) {
      const r = await c.login(id);
      expect(r.status).toBe(202);
      expect(r.body.user_id).toBe(userId);
    }
    expect((await userView(t, userId)).lock).toMatchObject({ locked: false, consecutive_failures: 0 });
  });

  it('guesses over challenges opened through each identifier are counted once for the customer: LOCKOUT_THRESHOLD judged', async () => {
    const c = customer();
    const opened: Res[] = [];
    for (const id of c.ids) opened.push(await c.login(id));
    for (const o of opened) await passcodeAfterSend(o);
    const userId = opened[0].body.user_id as string;
    expect(opened.map((r) => r.body.user_id)).toEqual([userId, userId, userId]);
    // No challenge's own limit (MFA_MAX_ATTEMPTS) is near: only the customer's count can stop these.
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => answer(userId, opened[i % 3].body.challenge.id, '000000')),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(THRESHOLD);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 403 || s === 503)).toBe(true);
    const events = await t.events(userId);
    expect(events.filter((e) => e.type === '2fa' && e.outcome === 'wrong')).toHaveLength(THRESHOLD);
    expect(events.filter((e) => e.type === 'lock')).toHaveLength(1);
    for (const id of c.ids) expectEnvelope(await c.login(id), 403, 'ACCOUNT_LOCKED');
  });

  it('a staff lock holds through every identifier and every step; unlock through all', async () => {
    const c = customer();
    const open = await c.login(c.ids[2]);
    const userId = open.body.user_id as string;
    const lock = await t.admin('POST', `/admin/users/${userId}/lock`, { reason: 'phone stolen' });
    expect(lock.status).toBe(200);
    expect(lock.body.lock).toMatchObject({ locked: true, permanent: true, reason: 'phone stolen' });
    for (const id of c.ids) expectEnvelope(await c.login(id), 403, 'ACCOUNT_LOCKED');
    // The challenge opened before the lock is over: it ended with the lock.
    const sms = open.body.challenge.send_methods[0];
    const sent = await t.sendOtp(userId, open.body.challenge.id, sms.id);
    expect([403, 400]).toContain(sent.status);
    expect(['ACCOUNT_LOCKED', 'CHALLENGE_EXPIRED']).toContain(sent.body.error.id);
    // The console shows the customer locked under the name they signed in with last.
    expect((await userView(t, userId)).lock).toMatchObject({ locked: true });

    await t.admin('POST', `/admin/users/${userId}/unlock`);
    for (const id of c.ids) expect((await c.login(id)).status).toBe(202);
  });

  it('a rename at the bank carries the lock and the counts', async () => {
    const c = customer();
    const first = await c.login(c.ids[0]);
    const userId = first.body.user_id as string;
    const code = await passcodeAfterSend(first);
    expectEnvelope(await answer(userId, first.body.challenge.id, wrongOf(code)), 401, 'INVALID_MFA');
    expect((await userView(t, userId)).lock).toMatchObject({ consecutive_failures: 1 });
    // The bank renames the customer: the old names are gone, a new one signs in.
    for (const id of c.ids) bank.users.delete(id);
    const renamed = `renamed${seq}`;
    bank.users.set(renamed, c.who);
    const again = await c.login(renamed);
    expect(again.status).toBe(202);
    expect(again.body.user_id).toBe(userId);
    expect((await userView(t, userId)).lock).toMatchObject({ consecutive_failures: 1 });
    const code2 = await passcodeAfterSend(again);
    for (let i = 1; i < THRESHOLD; i++) {
      expectEnvelope(await answer(userId, again.body.challenge.id, wrongOf(code2)), 401, 'INVALID_MFA');
    }
    expectEnvelope(await c.login(renamed), 403, 'ACCOUNT_LOCKED');
    bank.users.delete(renamed);
    bank.users.set(`renamed-again${seq}`, c.who);
    expectEnvelope(await c.login(`renamed-again${seq}`), 403, 'ACCOUNT_LOCKED');
  });

  it('wrong passwords count against the typed name; on the name the customer holds, they lock the customer', async () => {
    const c = customer();
    const holder = await c.login(c.ids[0]); // the customer holds the name ids[0] now
    const userId = holder.body.user_id as string;
    // Through an identifier nobody has signed in with, the bank cannot say whose password was wrong.
    for (let i = 0; i < THRESHOLD; i++) expectEnvelope(await c.login(c.ids[2], 'wrong'), 401, 'INVALID_CREDENTIALS');
    expectEnvelope(await c.login(c.ids[2]), 403, 'ACCOUNT_LOCKED');
    expect((await c.login(c.ids[0])).status).toBe(202);
    // Through the name the customer holds: the lock is theirs, through every identifier.
    for (let i = 0; i < THRESHOLD; i++) expectEnvelope(await c.login(c.ids[0], 'wrong'), 401, 'INVALID_CREDENTIALS');
    expectEnvelope(await c.login(c.ids[1]), 403, 'ACCOUNT_LOCKED');
    expect((await userView(t, userId)).lock).toMatchObject({ locked: true });
  });

  it("a customer pxauth locked (by staff, or by wrong passcodes) gets the OAuth pages' locked page, not a code, through an identifier never typed", async () => {
    const byStaff = customer();
    const staffLocked = (await byStaff.login(byStaff.ids[0])).body.user_id as string;
    expect((await t.admin('POST', `/admin/users/${staffLocked}/lock`, { reason: 'phone stolen' })).status).toBe(200);
    const byGuesses = customer();
    const open = await byGuesses.login(byGuesses.ids[0]);
    const guessLocked = open.body.user_id as string;
    const code = await passcodeAfterSend(open);
    for (let i = 0; i < THRESHOLD; i++) {
      expectEnvelope(await answer(guessLocked, open.body.challenge.id, wrongOf(code)), 401, 'INVALID_MFA');
    }

    for (const [c, userId] of [
      [byStaff, staffLocked],
      [byGuesses, guessLocked],
    ] as const) {
      // The email: nobody signed in with it before, so only the bank's answer says whose it is.
      const b = new Browser(t);
      await b.authorize({ state: `locked-${userId}` });
      const r = await b.signIn(c.ids[1], c.who.password);
      expect([r.status, r.headers.location]).toEqual([403, undefined]);
      expect(r.text).toContain('Your account is locked');
      expect(r.text).not.toContain('name="passcode"');
      const back = new URL(/<a class="button" href="([^"]+)"/.exec(r.text)![1].replace(/&amp;/g, '&'));
      expect([back.searchParams.get('error'), back.searchParams.get('state'), back.searchParams.get('code')]).toEqual([
        'access_denied',
        `locked-${userId}`,
        null,
      ]);
      const refused = (await t.events(userId)).find((e) => e.type === 'login' && e.detail?.path === 'oauth');
      expect(refused).toMatchObject({ outcome: 'locked', detail: { locked: 'person', username_known: true } });

      // Unlocked, the same identifier on the same pages goes on to the second factor: the 403 was the lock.
      expect((await t.admin('POST', `/admin/users/${userId}/unlock`)).status).toBe(200);
      const again = new Browser(t);
      await again.authorize();
      const next = await again.signIn(c.ids[1], c.who.password);
      expect([next.status, next.text.includes('name="passcode"')]).toEqual([200, true]);
    }
  });

  it('a challenge answers only for the Plaid client that opened it', async () => {
    const c = customer();
    const open = await c.login(c.ids[1]);
    const userId = open.body.user_id as string;
    const id = open.body.challenge.id as string;
    const sms = open.body.challenge.send_methods[0];
    const asOther = { client: other };
    const send = await t.plaid(`/users/${userId}/sendOtp`, { challenge_id: id, send_method_id: sms.id }, asOther);
    expectEnvelope(send, 400, 'CHALLENGE_NOT_FOUND');
    const code = await passcodeAfterSend(open);
    const stolen = await t.plaid(`/users/${userId}/2fa`, { challenge_id: id, passcode: code }, asOther);
    expectEnvelope(stolen, 400, 'CHALLENGE_NOT_FOUND');
    // Nothing was counted or spent: the client that opened it completes it.
    expect((await userView(t, userId)).lock).toMatchObject({ consecutive_failures: 0 });
    const done = await answer(userId, id, code);
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe(userId);
  });
});
