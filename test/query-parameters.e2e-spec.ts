import { KEYS, PASSWORD, TEST_ENGINE, TestApp, TestUser, expectEnvelope } from './support/harness';
import { ConsoleClient, textOf } from './support/console-client';

/**
 * docs/api.md#requests-and-errors and docs/api.md#staff-api: a query parameter is one plain string. `username[]=x`, `username[a]=x`
 * and a repeated key are 400 INVALID_REQUEST naming the parameter, never a filter silently dropped
 * (and an unfiltered list); on the JSON API an undeclared parameter is refused too, so a typo is
 * caught. The console answers the same with its own 400 page.
 */
describe(`query parameters (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await TestApp.start();
    alice = await t.createUser('qp_alice', { phone: '+14155550161' }, PASSWORD);
    bob = await t.createUser('qp_bob', { phone: '+14155550162' }, PASSWORD);
    for (const u of [alice, bob]) expect((await t.login(u.username)).status).toBe(202);
    expect((await t.login(alice.username, 'wrong-password')).status).toBe(401);
  });
  afterAll(async () => {
    await t?.stop();
  });

  // Each filtering route with one of its parameters.
  const routes = (): [string, string][] => [
    ['/admin/users', 'username'],
    ['/admin/users', 'institution_id'],
    ['/admin/events', 'user_id'],
    ['/admin/events', 'type'],
    [`/admin/users/${alice.userId}/events`, 'type'],
    [`/admin/users/${alice.userId}/events`, 'limit'],
    ['/admin/outbox', 'to'],
  ];

  it('name[]=x, name[a]=x and name=a&name=b: 400 INVALID_REQUEST "name: must be a single string"', async () => {
    for (const [path, name] of routes()) {
      for (const query of [`${name}[]=x`, `${name}%5B%5D=x`, `${name}[a]=x`, `${name}[0]=x`, `${name}=a&${name}=b`]) {
        const r = await t.admin('GET', `${path}?${query}`);
        expectEnvelope(r, 400, 'INVALID_REQUEST');
        expect({ query, message: r.body.error.message }).toEqual({
          query,
          message: `${name}: must be a single string`,
        });
      }
    }
  });

  it('an undeclared parameter (a typo) is 400 naming it and the ones the route takes', async () => {
    for (const [path] of routes()) {
      const r = await t.admin('GET', `${path}?usrname=${encodeURIComponent(alice.username)}`);
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/^usrname: is not a parameter here \(known: [a-z_, ]+\)$/);
    }
    const users = await t.admin('GET', '/admin/users?usrname=x');
    expect(users.body.error.message).toBe(
      'usrname: is not a parameter here (known: username, institution_id, q, cursor)',
    );
    // Names that are not words are quoted, and none of them is a 500.
    for (const [query, shown] of [
      ['[]=x', '""'],
      ['=x', '""'],
      ['a%3Cb%3E=x', '"a<b>"'],
      ['__proto__=x', '__proto__'],
      ['constructor[a]=x', 'constructor'],
    ]) {
      const r = await t.admin('GET', `/admin/users?${query}`);
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message.startsWith(`${shown}: is not a parameter here`)).toBe(true);
    }
  });

  it('is refused whoever asks: a support key too, and the refusal is not a list', async () => {
    const r = await t.admin('GET', `/admin/users?username[]=${alice.username}`, undefined, KEYS.support);
    expectEnvelope(r, 400, 'INVALID_REQUEST');
    expect(r.text).not.toContain(alice.userId);
  });

  it('a well-formed filter still filters', async () => {
    const users = (await t.admin('GET', `/admin/users?username=${alice.username}&institution_id=default`)).body.users;
    expect(users.map((u: { user_id: string }) => u.user_id)).toEqual([alice.userId]);

    const logins = (await t.admin('GET', `/admin/events?user_id=${bob.userId}&type=login&limit=500`)).body.events;
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((e: { user_id: string; type: string }) => e.user_id === bob.userId && e.type === 'login')).toBe(
      true,
    );

    const mine = (await t.admin('GET', `/admin/users/${alice.userId}/events?type=login&limit=1`)).body.events;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ user_id: alice.userId, type: 'login' });

    const ch = await t.otpChallenge(alice.username);
    expect((await t.sendOtp(ch.userId, ch.challengeId, ch.method.id)).status).toBe(200);
    const box = (await t.admin('GET', `/admin/outbox?to=${encodeURIComponent('+14155550161')}`)).body.messages;
    expect(box.length).toBeGreaterThan(0);
    expect(box.every((m: { to: string }) => m.to === '+14155550161')).toBe(true);
  });

  describe('the console', () => {
    it('search with q[]=, q[a]= or q twice: its own 400 page naming q, not JSON, not a 500', async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      for (const query of ['q[]=x', 'q[a]=x', 'q=a&q=b', 'institution_id[]=default']) {
        const r = await c.get(`/console/users?${query}`);
        expect({ query, status: r.status }).toEqual({ query, status: 400 });
        expect(r.headers['content-type']).toMatch(/^text\/html/);
        expect(r.text).toContain('data-error-id="INVALID_REQUEST"');
        expect(textOf(r.text)).toMatch(/(q|institution_id): must be a single string/);
      }
    });

    it("the customer page's timeline cursor: twice or as a list is its own 400 page; ?done= and ?lang= are no error", async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      for (const query of ['cursor[]=x', 'cursor[a]=x', 'cursor=a&cursor=b']) {
        const r = await c.get(`/console/users/${alice.userId}?${query}`);
        expect({ query, status: r.status }).toEqual({ query, status: 400 });
        expect(r.text).toContain('data-error-id="INVALID_REQUEST"');
        expect(textOf(r.text)).toContain('cursor: must be a single string');
      }
      expect((await c.get(`/console/users/${alice.userId}?done=unlock&lang=en`)).status).toBe(200);
    });

    it('search still finds, and a parameter it does not take (?lang=) is no error', async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      const r = await c.get(`/console/users?q=${encodeURIComponent(alice.username)}&lang=en&utm=x`);
      expect(r.status).toBe(200);
      expect(r.text).toContain(`href="/console/users/${alice.userId}"`);
      expect(r.text).not.toContain(`href="/console/users/${bob.userId}"`);
    });

    it('the sign-in page: ?expired=1 shows its notice; ?expired twice is a 400 page', async () => {
      const c = new ConsoleClient(t);
      const ok = await c.get('/console/login?expired=1');
      expect(ok.status).toBe(200);
      expect(textOf(ok.text)).toContain('You were signed out after 8 hours');
      for (const query of ['expired=1&expired=1', 'out[]=1']) {
        const r = await c.get(`/console/login?${query}`);
        expect({ query, status: r.status }).toEqual({ query, status: 400 });
        expect(r.text).toContain('data-error-id="INVALID_REQUEST"');
      }
    });

    it('a JSON client of the console gets the envelope', async () => {
      const c = await ConsoleClient.signedIn(t, KEYS.support);
      const r = await c.agent.get('/console/users?q[]=x').set('Accept', 'application/json');
      expectEnvelope({ status: r.status, body: r.body, text: r.text, headers: r.headers }, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toBe('q: must be a single string');
    });
  });
});
