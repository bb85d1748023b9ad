import request from 'supertest';
import { createHash } from 'node:crypto';
import { KEYS, PASSWORD, TEST_ENGINE, TestApp, TestUser, expectEnvelope } from './support/harness';
import { ConsoleClient, textOf } from './support/console-client';
import { storedRows } from './support/stored';
import { StaffService } from '@/staff-auth/staff.service';

/**
 * docs/api.md#staff-api: the support console's routes, through HTTP as a browser speaks it
 * (cookies, form posts, HTML), on both engines. test/console-browser.e2e-spec.ts drives real Chromium.
 */
describe(`support console (${TEST_ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const lockedByFailures = async (prefix = 'con'): Promise<TestUser> => {
    const u = await t.createUser(prefix, {}, PASSWORD);
    for (let i = 0; i < 5; i++) expect((await t.login(u.username, 'wrong-password')).status).toBe(401);
    expect((await t.login(u.username)).status).toBe(403);
    return u;
  };
  const view = async (u: TestUser) => (await t.admin('GET', `/admin/users/${u.userId}`)).body;

  it('is only on the internal listener: 404 in the envelope on the public one', async () => {
    for (const path of ['/console', '/console/login', '/CONSOLE/users', '/console/assets/console.css']) {
      const r = await request(t.px.publicServer).get(path).set('Accept', 'application/json');
      expectEnvelope(r, 404, 'NOT_FOUND');
    }
  });

  it('serves its own stylesheet, and pages that load nothing from outside', async () => {
    const css = await request(t.px.internalServer).get('/console/assets/console.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const c = new ConsoleClient(t);
    const page = await c.get('/console/login');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const urls = [...page.text.matchAll(/(?:src|href|action)="([^"]*)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toMatch(/^(\/console|#)/);
  });

  it('signs in with a staff key: a session cookie (HttpOnly, SameSite=Strict), stored only as a digest', async () => {
    const c = new ConsoleClient(t);
    await c.get('/console/login');
    const r = await c.post('/console/login', { key: KEYS.support });
    expect({ status: r.status, location: r.headers.location }).toEqual({ status: 303, location: '/console/users' });
    const cookie = (r.headers['set-cookie'] as unknown as string[]).find((s) => s.startsWith('pxauth_console='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/console/);
    const value = decodeURIComponent(/^pxauth_console=([^;]+)/.exec(cookie)![1]);
    const digest = createHash('sha256').update(value).digest('hex');
    expect(await storedRows(t, 'SELECT staff_id FROM console_session WHERE id_hash = ?', [digest])).toHaveLength(1);
    expect(t.databaseBytes().includes(Buffer.from(value))).toBe(false);
    expect(t.logs.join('')).not.toContain(value);
    const page = await c.get('/console/users');
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('Signed in as');
  });

  it('refuses a wrong key (401) and a resource-server key (403), and a sign-in without its CSRF token', async () => {
    const c = new ConsoleClient(t);
    await c.get('/console/login');
    const wrong = await c.post('/console/login', { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(textOf(wrong.text)).toContain('That key is not valid');
    await c.get('/console/login');
    const rs = await c.post('/console/login', { key: KEYS.rs });
    expect(rs.status).toBe(403);
    expect(textOf(rs.text)).toContain('may not use the console');
    const forged = await new ConsoleClient(t).post(
      '/console/login',
      { key: KEYS.admin },
      { accept: 'application/json' },
    );
    expectEnvelope(forged, 403, 'FORBIDDEN');
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  it('without a session: a browser is sent to sign in, an API client gets 401 in the envelope', async () => {
    const r = await request(t.px.internalServer).get('/console/users').set('Accept', 'text/html');
    expect({ status: r.status, location: r.headers.location }).toEqual({ status: 303, location: '/console/login' });
    const api = await request(t.px.internalServer).get('/console/users').set('Accept', 'application/json');
    expectEnvelope(api, 401, 'UNAUTHORIZED');
    const forged = await request(t.px.internalServer)
      .post('/console/users/x/unlock')
      .set('Cookie', 'pxauth_console=made-up')
      .set('Accept', 'text/html')
      .type('form')
      .send('reason=whatever');
    expect({ status: forged.status, location: forged.headers.location }).toEqual({
      status: 303,
      location: '/console/login?expired=1',
    });
  });

  it('finds a customer locked by five failed logins, shows why with the failures, and unlocks with a reason', async () => {
    const u = await lockedByFailures();
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const found = await c.get(`/console/users?q=${encodeURIComponent(u.username)}`);
    expect(found.text).toContain(`href="/console/users/${u.userId}"`);
    expect(textOf(found.text)).toContain('Locked');
    const page = await c.get(`/console/users/${u.userId}`);
    const text = textOf(page.text);
    expect(text).toMatch(/Yes\. This account has been locked since .+ UTC, until .+ UTC \(another \d+ minutes?\)\./);
    expect(text).toContain('Why: too many failed attempts in a row.');
    const rows = [
      ...page.text.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g),
    ];
    expect(rows.map((m) => [m[1], m[2]])).toEqual(
      Array(5).fill(['Wrong password', expect.stringMatching(/127\.0\.0\.1/)]),
    );

    const r = await c.post(`/console/users/${u.userId}/unlock`, { reason: 'Caller verified by date of birth' });
    expect({ status: r.status, location: r.headers.location }).toEqual({
      status: 303,
      location: `/console/users/${u.userId}?done=unlock`,
    });
    expect((await view(u)).lock.locked).toBe(false);
    expect((await t.login(u.username)).status).toBe(200);
    const unlock = (await t.events(u.userId)).find((e) => e.type === 'unlock')!;
    expect(unlock.detail).toEqual({ reason: 'Caller verified by date of birth' });
    expect(unlock.staff_id).toEqual(expect.any(String));
    const after = textOf((await c.get(`/console/users/${u.userId}?done=unlock`)).text);
    expect(after).toContain('Unlocked. The customer can sign in again.');
    expect(after).toContain('No. This account is not locked.');
    expect(after).toMatch(/Unlocked by staff · sandbox support .*Reason: “Caller verified by date of birth”/);
  });

  it('escapes what customers and staff typed: a username with markup is shown as text', async () => {
    const u = await t.createUser('con_x', { username: `<b/id="x">con_${Date.now()}</b>` }, PASSWORD);
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const page = await c.get(`/console/users/${u.userId}`);
    expect(page.text).not.toContain('<b/id="x">');
    expect(page.text).toContain('&lt;b/id=&quot;x&quot;&gt;');
  });

  it('an unknown customer is a 404 page for a browser, the envelope for an API client', async () => {
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const page = await c.get('/console/users/no-such-user');
    expect(page.status).toBe(404);
    expect(page.text).toContain('data-error-id="NOT_FOUND"');
    const api = await c.agent.get('/console/users/no-such-user').set('Accept', 'application/json');
    expectEnvelope(api, 404, 'NOT_FOUND');
  });

  it('refuses a change without the CSRF token, or with another session’s, and changes nothing', async () => {
    const u = await lockedByFailures();
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    await c.get(`/console/users/${u.userId}`);
    const none = await c.post(
      `/console/users/${u.userId}/unlock`,
      { reason: 'no token' },
      { csrf: null, accept: 'application/json' },
    );
    expectEnvelope(none, 403, 'FORBIDDEN');
    const other = await ConsoleClient.signedIn(t, KEYS.support);
    await other.get('/console/users');
    const stolen = await c.post(`/console/users/${u.userId}/unlock`, { reason: 'wrong token' }, { csrf: other.csrf });
    expect(stolen.status).toBe(403);
    expect(textOf(stolen.text)).toContain('CSRF');
    expect((await view(u)).lock.locked).toBe(true);
    const refused = (await t.events(u.userId)).filter((e) => e.type === 'admin_call' && e.outcome === 'CSRF_REFUSED');
    expect(refused).toHaveLength(2);
  });

  it('support sees no create-user, password or new-authenticator control, and the server refuses them', async () => {
    const u = await t.createUser('con_sup', { phone: '+14155550177' }, PASSWORD);
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const search = await c.get('/console/users');
    expect(search.text).not.toContain('method="post" action="/console/users"');
    const page = await c.get(`/console/users/${u.userId}`);
    for (const control of ['/password"', '/totp"']) expect(page.text).not.toContain(control);
    // Locking is support's as well (docs/api.md#staff-api): the control is there.
    expect(page.text).toContain(`action="/console/users/${u.userId}/lock"`);
    expect(page.text).toContain(`action="/console/users/${u.userId}/factors/reset"`);

    const name = `forced_${Date.now()}`;
    const create = await c.post(
      '/console/users',
      { username: name, password: PASSWORD },
      { accept: 'application/json' },
    );
    expectEnvelope(create, 403, 'FORBIDDEN');
    expect((await t.admin('GET', `/admin/users?username=${name}`)).body.users).toEqual([]);
    const pw = await c.post(`/console/users/${u.userId}/password`, { password: 'taken-over', reason: 'forced' });
    expect(pw.status).toBe(403);
    expect(pw.text).toContain('data-error-id="FORBIDDEN"');
    expect((await t.login(u.username, 'taken-over')).status).toBe(401);
    const enrol = await c.post(`/console/users/${u.userId}/totp`, { reason: 'forced' });
    expect(enrol.status).toBe(403);
    expect((await view(u)).factors.totp).toBe(false);
    const refusals = (await t.events(u.userId)).filter((e) => e.type === 'admin_call' && e.outcome === 'FORBIDDEN');
    expect(refusals.map((e) => e.detail.route).sort()).toEqual(
      ['/console/users/:id/password', '/console/users/:id/totp'].sort(),
    );
  });

  it('support resets a factor, records terms and revokes tokens, each reason in its audit event', async () => {
    const u = await t.createUser('con_ops', { phone: '+14155550178', terms_accepted_version: 0 }, PASSWORD);
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const page = textOf((await c.get(`/console/users/${u.userId}`)).text);
    expect(page).toContain('Phone (***) ***-0178');
    expect(page).not.toContain('+14155550178');
    expect(page).toContain('the current version is 1');
    const reset = await c.post(`/console/users/${u.userId}/factors/reset`, { factor: 'phone', reason: 'Phone lost' });
    expect(reset.status).toBe(303);
    expect((await view(u)).factors.otp).toEqual([]);
    expect((await c.post(`/console/users/${u.userId}/terms`, { reason: 'Accepted by phone' })).status).toBe(303);
    expect((await view(u)).terms.pending).toBe(false);
    const token = (await t.login(u.username)).body.auth_token as string;
    expect(textOf((await c.get(`/console/users/${u.userId}`)).text)).toContain('Active tokens: 1.');
    const revoke = await c.post(`/console/users/${u.userId}/tokens/revoke`, {
      reason: 'Customer asked to cut Plaid off',
    });
    expect(revoke.headers.location).toBe(`/console/users/${u.userId}?done=revoke&n=1`);
    expect((await t.admin('POST', '/tokens/introspect', { token }, KEYS.rs)).body).toEqual({ active: false });
    const events = await t.events(u.userId);
    const detailOf = (type: string) => events.find((e) => e.type === type)!.detail;
    expect(detailOf('factors_change')).toEqual({ fields: ['phone'], reason: 'Phone lost' });
    expect(detailOf('terms')).toEqual({ version: 1, reason: 'Accepted by phone' });
    expect(detailOf('token_revoke')).toEqual({ count: 1, reason: 'Customer asked to cut Plaid off' });
    const short = await c.post(`/console/users/${u.userId}/unlock`, { reason: '' });
    expect(short.status).toBe(400);
  });

  it('admin creates a customer with an authenticator and re-enrols it: the QR code is shown once', async () => {
    const c = await ConsoleClient.signedIn(t, KEYS.admin);
    await c.get('/console/users');
    const name = `con_new_${Date.now()}`;
    const created = await c.post('/console/users', { username: name, password: PASSWORD, totp: 'on' });
    expect(created.status).toBe(200);
    expect(created.text).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    expect(created.headers['cache-control']).toBe('no-store');
    const userId = (await t.admin('GET', `/admin/users?username=${name}`)).body.users[0].user_id as string;
    const page = await c.get(`/console/users/${userId}`);
    expect(page.text).not.toContain('data:image/png');
    const again = await c.post(`/console/users/${userId}/totp`, { reason: 'New phone' });
    expect(again.status).toBe(200);
    expect(again.text).toContain('data:image/png');
    const lock = await c.post(`/console/users/${userId}/lock`, { reason: 'Fraud suspected' });
    expect(lock.status).toBe(303);
    const text = textOf((await c.get(`/console/users/${userId}`)).text);
    expect(text).toContain('until a staff member unlocks it');
    expect(text).toContain('Why: a staff member locked it: “Fraud suspected”.');
  });

  it('an idle session past CONSOLE_SESSION_TTL is signed out; signing out ends the session everywhere', async () => {
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    expect((await c.get('/console/users')).status).toBe(200);
    const eightHours = 8 * 3_600_000 + 1_000;
    await storedRows(t, 'UPDATE console_session SET last_seen_at = last_seen_at - ?', [eightHours]);
    const r = await c.get('/console/users');
    expect({ status: r.status, location: r.headers.location }).toEqual({
      status: 303,
      location: '/console/login?expired=1',
    });
    expect(textOf((await c.get('/console/login?expired=1')).text)).toContain('You were signed out after 8 hours');

    const d = await ConsoleClient.signedIn(t, KEYS.support);
    await d.get('/console/users');
    const out = await d.post('/console/logout', {});
    expect(out.headers.location).toBe('/console/login?out=1');
    expect((await d.get('/console/users')).status).toBe(303);
  });

  it('a session kept active past CONSOLE_SESSION_MAX_AGE is signed out, however recent its last request', async () => {
    const short = await TestApp.start({ CONSOLE_SESSION_MAX_AGE: '1m' });
    try {
      const c = await ConsoleClient.signedIn(short, KEYS.support);
      const age = (ms: number) => storedRows(short, 'UPDATE console_session SET created_at = created_at - ?', [ms]);
      expect((await c.get('/console/users')).status).toBe(200);
      await age(30_000);
      expect((await c.get('/console/users')).status).toBe(200);
      await age(31_000);
      const [row] = await storedRows<{ created_at: string; last_seen_at: string }>(
        short,
        'SELECT created_at, last_seen_at FROM console_session',
      );
      // Active a moment ago (well inside the 8 h idle TTL), signed in over a minute ago.
      expect(Date.now() - Number(row.last_seen_at)).toBeLessThan(60_000);
      expect(Date.now() - Number(row.created_at)).toBeGreaterThan(60_000);
      const r = await c.get('/console/users');
      expect({ status: r.status, location: r.headers.location }).toEqual({
        status: 303,
        location: '/console/login?expired=1',
      });
      const api = await c.agent.get('/console/users').set('Accept', 'application/json');
      expectEnvelope(api, 401, 'UNAUTHORIZED');
      expect(textOf((await c.get('/console/login?expired=1')).text)).toContain(
        'A session also ends 1 minute after signing in.',
      );
      expect((await ConsoleClient.signedIn(short, KEYS.support).then((d) => d.get('/console/users'))).status).toBe(200);
    } finally {
      await short.stop();
    }
  });

  it('a session ends when its staff key is revoked', async () => {
    const key = await t.px.app.get(StaffService).create('Temp at the help desk', 'support');
    const c = await ConsoleClient.signedIn(t, key.key);
    expect((await c.get('/console/users')).status).toBe(200);
    await storedRows(t, 'UPDATE staff_key SET revoked_at = ? WHERE id = ?', [Date.now(), key.id]);
    expect((await c.get('/console/users')).headers.location).toBe('/console/login?expired=1');
  });

  it('a session lives in the database: it survives a restart of the process', async () => {
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    const cookie = `pxauth_console=${(c.agent as unknown as { jar: { getCookie(n: string, o: object): { value: string } } }).jar.getCookie('pxauth_console', { domain: '127.0.0.1', path: '/console', secure: false, script: false }).value}`;
    await t.restart();
    const r = await request(t.px.internalServer).get('/console/users').set('Accept', 'text/html').set('Cookie', cookie);
    expect(r.status).toBe(200);
  });

  it('speaks Spanish to a Spanish browser, and switches language on request', async () => {
    const u = await lockedByFailures('con_es');
    const c = await ConsoleClient.signedIn(t, KEYS.support, 'es');
    const text = textOf((await c.get(`/console/users/${u.userId}`)).text);
    expect(text).toContain('Sí. Esta cuenta está bloqueada desde el');
    expect(text).toContain('Contraseña incorrecta');
    expect(text).toContain('Desbloquear');
    const en = await c.get(`/console/users/${u.userId}?lang=en`);
    expect(textOf(en.text)).toContain('Yes. This account has been locked since');
    expect(textOf((await c.get(`/console/users/${u.userId}`)).text)).toContain('Unlock');
  });
});
