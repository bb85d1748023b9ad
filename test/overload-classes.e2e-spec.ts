import { randomBytes } from 'node:crypto';
import { Res, TestApp, TestUser, expectEnvelope } from './support/harness';
import { Labels, sample, scrape } from './support/metrics';
import { Browser, redirected } from './support/oauth';

/**
 * The two classes of the admission control (docs/operations.md, "Two classes of checks"): Plaid's legacy calls and the
 * public OAuth sign-in pages each get their share of the argon2 checks while the other waits, and are
 * shed on their own queue. Real logins on both paths, two checks at a time, against an 800 ms queue: a
 * flood of one path is shed while the other's logins, sent in the middle of it, are all answered.
 */

// Enough to be shed on a quiet machine (about 30 ms a check: 80 waiting would take 1.2 s) and a busy one.
const FLOOD = 80;
// The other path's logins, one after another: each arrives to an empty queue of its class, and must
// start within the timeout however long the flood's queue is.
const LOGINS = 12;
const unknown = () => `nobody_${randomBytes(6).toString('hex')}`;

interface Flood {
  shed: number;
  judged: number;
  stop(): Promise<void>;
}

/** `FLOOD` clients, each of its own and sending the next as soon as the last is answered, until stopped. */
function flood(client: () => () => Promise<'shed' | 'judged'>): Promise<Flood> {
  const f = { shed: 0, judged: 0 };
  let running = true;
  let firstShed!: () => void;
  let failed!: (err: unknown) => void;
  const shedSeen = new Promise<void>((resolve, reject) => ((firstShed = resolve), (failed = reject)));
  const clients = Array.from({ length: FLOOD }, async () => {
    const send = client();
    while (running) {
      if ((await send()) === 'shed') {
        f.shed++;
        firstShed();
      } else f.judged++;
    }
  });
  // A client's failed expectation fails the test at once, rather than waiting for a shed that never comes.
  for (const c of clients) c.catch(failed);
  const stop = async () => {
    running = false;
    await Promise.all(clients);
  };
  // Under way once it is being shed: whatever comes next arrives in the middle of a shed flood.
  return shedSeen.then(() => Object.assign(f, { stop }));
}

/** A sign-in with a wrong password for an unknown username, until one is shed (a new sign-in then). */
function signInBot(t: TestApp): () => Promise<'shed' | 'judged'> {
  let b: Browser | null = null;
  return async () => {
    if (!b) {
      b = new Browser(t);
      expect((await b.authorize()).status).toBe(200);
    }
    const r = await b.signIn(unknown(), 'not-the-password');
    if (r.status === 303) {
      const to = redirected(r);
      expect([to.searchParams.get('error'), to.searchParams.get('state')]).toEqual([
        'temporarily_unavailable',
        'st-123',
      ]);
      b = null; // the sign-in ended with that redirect
      return 'shed';
    }
    // Judged: the password page again, 401, the sign-in still open for another try.
    expect([r.status, r.text]).toEqual([401, expect.stringContaining('name="password"')]);
    return 'judged';
  };
}

/** A legacy login with a wrong password for an unknown username: 401 judged, or 503 shed. */
function legacyBot(t: TestApp): () => Promise<'shed' | 'judged'> {
  return async () => {
    const r = await t.login(unknown(), 'not-the-password');
    if (r.status === 503) {
      expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
      expect(r.body.error.retry_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      return 'shed';
    }
    expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
    return 'judged';
  };
}

/** One call per user, one after another. */
async function each<T>(users: TestUser[], call: (u: TestUser) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const u of users) out.push(await call(u));
  return out;
}

describe('overload: two classes, Plaid and the sign-in pages (OVERLOAD_CONCURRENCY=2, OVERLOAD_SIGNIN_SHARE=0.5)', () => {
  let t: TestApp;
  let users: TestUser[];
  beforeAll(async () => {
    t = await TestApp.start({
      OVERLOAD_CONCURRENCY: '2',
      OVERLOAD_QUEUE_TIMEOUT: '800ms',
      OVERLOAD_SIGNIN_SHARE: '0.5',
    });
  });
  beforeEach(async () => {
    users = [];
    for (let i = 0; i < LOGINS; i++) users.push(await t.createUser('Classes'));
  });
  afterAll(async () => {
    await t.stop();
  });

  const moved = (before: string, after: string, name: string, labels: Labels) =>
    sample(after, name, labels) - sample(before, name, labels);

  it("a flood of anonymous sign-ins is shed while Plaid's logins, sent in the middle of it, are all answered", async () => {
    const before = await scrape(t);
    const f = await flood(() => signInBot(t));
    const plaid: Res[] = await each(users, (u) => t.login(u.username, u.password));
    await f.stop();
    const after = await scrape(t);

    expect(plaid.map((r) => r.status)).toEqual(Array(LOGINS).fill(200));
    for (const r of plaid) expect(r.body.auth_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(f.shed).toBeGreaterThan(0);
    expect(f.judged).toBeGreaterThan(0);
    // What the operator sees: every shed was a sign-in, and each of Plaid's logins was one check of its class.
    expect(moved(before, after, 'pxauth_sheds_total', { flow: 'login', class: 'oauth' })).toBe(f.shed);
    expect(moved(before, after, 'pxauth_sheds_total', { flow: 'login', class: 'legacy' })).toBe(0);
    const checks = 'pxauth_argon2_verify_duration_seconds_count';
    expect(moved(before, after, checks, { class: 'legacy' })).toBe(LOGINS);
    expect(moved(before, after, checks, { class: 'oauth' })).toBe(f.judged);
    // Each of Plaid's logins completed: its user's audit trail has the success, and nothing shed.
    for (const u of users) {
      const outcomes = (await t.events(u.userId)).filter((e) => e.type === 'login').map((e) => e.outcome);
      expect([u.username, outcomes]).toEqual([u.username, ['success']]);
    }
  });

  it("and the reverse: a flood of Plaid's calls is shed while customers signing in, in the middle of it, get their code", async () => {
    const before = await scrape(t);
    const f = await flood(() => legacyBot(t));
    const signIns = await each(users, async (u) => {
      const b = new Browser(t);
      expect((await b.authorize()).status).toBe(200);
      return redirected(await b.signIn(u.username, u.password));
    });
    await f.stop();
    const after = await scrape(t);

    for (const to of signIns) {
      expect([to.searchParams.get('error'), to.searchParams.get('state')]).toEqual([null, 'st-123']);
      expect(to.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    }
    expect(f.shed).toBeGreaterThan(0);
    expect(f.judged).toBeGreaterThan(0);
    expect(moved(before, after, 'pxauth_sheds_total', { flow: 'login', class: 'legacy' })).toBe(f.shed);
    expect(moved(before, after, 'pxauth_sheds_total', { flow: 'login', class: 'oauth' })).toBe(0);
    const checks = 'pxauth_argon2_verify_duration_seconds_count';
    expect(moved(before, after, checks, { class: 'oauth' })).toBe(LOGINS);
    expect(moved(before, after, checks, { class: 'legacy' })).toBe(f.judged);
    for (const u of users) {
      const logins = (await t.events(u.userId)).filter((e) => e.type === 'login');
      expect([u.username, logins.map((e) => [e.outcome, e.detail.path])]).toEqual([u.username, [['success', 'oauth']]]);
    }
  });
});
