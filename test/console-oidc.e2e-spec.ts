import { createHash } from 'node:crypto';
import { KEYS, TEST_ENGINE, TestApp } from './support/harness';
import { ConsoleClient, textOf } from './support/console-client';
import { CookieJar, TestProvider, formOf, freePort, oidcEnv } from './support/oidc-provider';
import { storedRows } from './support/stored';

const ACCOUNTS = {
  ana: { name: 'Ana Ruiz', email: 'ana@bank.example', groups: ['staff', 'helpdesk'] },
  boss: { name: 'Bo Admin', groups: ['helpdesk', 'pxauth-admins'] },
  solo: { name: 'Sol String', groups: 'tier2' },
  stranger: { name: 'Stan Ger', groups: ['everyone'] },
};

interface AdminEvent {
  outcome: string;
  staff_id: string | null;
  staff_sub: string | null;
  staff_name: string | null;
  detail: { route: string; method: string; role?: string };
}

/**
 * Console sign-in through the bank's OpenID Connect provider: a real oidc-provider in a child process,
 * driven over HTTP with a cookie jar per host; both engines (the browser's own run is in
 * console-oidc-browser.e2e-spec.ts).
 */
describe(`console sign-in through OpenID Connect (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let op: TestProvider;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    op = await TestProvider.start(ACCOUNTS, base);
    t = await TestApp.start(oidcEnv(op.issuer, port));
  });
  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  /** From the sign-in page's button to the provider's callback, stopping there (the callback not yet asked). */
  const toCallback = async (jar: CookieJar, account: string) => {
    const login = await jar.visit(`${base}/console/login`);
    expect(login.text).toContain('href="/console/oidc/start"');
    const form = await jar.visit(`${base}/console/oidc/start`);
    expect(new URL(form.url).origin).toBe(op.issuer);
    const back = await jar.visit(new URL(formOf(form.text).action, form.url).toString(), {
      form: { login: account },
      until: (next) => next.pathname === '/console/oidc/callback',
    });
    return new URL(back.location!, back.url).toString();
  };

  const signIn = async (account: string) => {
    const jar = new CookieJar();
    const done = await jar.visit(await toCallback(jar, account));
    return { jar, done };
  };

  const adminEvents = async (): Promise<AdminEvent[]> =>
    (await t.admin('GET', '/admin/events?type=admin_call&limit=200')).body.events;

  it('signs a support person in: the console names them, offers what support may do, refuses the rest', async () => {
    const { jar, done } = await signIn('ana');
    expect(done.status).toBe(200);
    expect(done.headers.get('refresh')).toBe('0;url=/console/users');
    expect(jar.cookie(base, 'pxauth_console_oidc')).toBeUndefined();
    const users = await jar.visit(`${base}/console/users`);
    expect(users.status).toBe(200);
    expect(textOf(users.text)).toContain('Signed in as Ana Ruiz (support)');

    const customer = await t.createUser('oidc', {}, 'pass_good');
    const page = await jar.visit(`${base}/console/users/${customer.userId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('/password"');
    const csrf = formOf(page.text).fields._csrf;
    const forced = await jar.visit(`${base}/console/users/${customer.userId}/password`, {
      form: { _csrf: csrf, password: 'another-pass-1', reason: 'forced by hand' },
    });
    expect(forced.status).toBe(403);

    // The events of their requests name the person, by their subject at the provider and name.
    const viewed = (await adminEvents()).find((e) => e.detail.route === '/console/users/:id' && e.outcome === 'ok');
    expect(viewed).toMatchObject({ staff_id: null, staff_sub: 'ana', staff_name: 'Ana Ruiz' });
    const signedIn = (await adminEvents()).find(
      (e) => e.detail.route === '/console/oidc/callback' && e.outcome === 'ok',
    );
    expect(signedIn).toMatchObject({ staff_sub: 'ana', staff_name: 'Ana Ruiz', detail: { role: 'support' } });
  });

  it('signs an admin in (admin wins over support), who may use the admin controls; a string claim maps too', async () => {
    const { jar } = await signIn('boss');
    const customer = await t.createUser('oidc', {}, 'pass_good');
    const page = await jar.visit(`${base}/console/users/${customer.userId}`);
    expect(textOf(page.text)).toContain('Signed in as Bo Admin (admin)');
    expect(page.text).toContain(`/console/users/${customer.userId}/password"`);
    const csrf = formOf(page.text).fields._csrf;
    const set = await jar.visit(`${base}/console/users/${customer.userId}/password`, {
      form: { _csrf: csrf, password: 'another-pass-1', reason: 'customer asked, verified' },
      until: () => true,
    });
    expect(set.status).toBe(303);
    expect((await t.login(customer.username, 'another-pass-1')).status).toBe(200);
    const changed = (await t.events(customer.userId)).find((e) => e.type === 'password_change');
    expect(changed).toMatchObject({ staff_id: null, staff_sub: 'boss', staff_name: 'Bo Admin' });

    const solo = await signIn('solo');
    expect(textOf((await solo.jar.visit(`${base}/console/users`)).text)).toContain('Signed in as Sol String (support)');
  });

  it('refuses a person whose claim maps to no role: a clear 403 page, no session, an event naming them', async () => {
    const { jar, done } = await signIn('stranger');
    expect(done.status).toBe(403);
    expect(textOf(done.text)).toContain('your account is in no group that may use the console');
    expect(jar.cookie(base, 'pxauth_console')).toBeUndefined();
    const users = await jar.visit(`${base}/console/users`, { until: () => true });
    expect({ status: users.status, location: users.location }).toEqual({ status: 303, location: '/console/login' });
    const refused = (await adminEvents()).find((e) => e.staff_sub === 'stranger');
    expect(refused).toMatchObject({ outcome: 'FORBIDDEN', staff_id: null, staff_name: 'Stan Ger' });
  });

  it('refuses a tampered state, and a callback replayed with its cookie, with no session', async () => {
    const jar = new CookieJar();
    const callback = new URL(await toCallback(jar, 'ana'));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const tampered = await jar.visit(callback.toString());
    expect(tampered.status).toBe(401);
    expect(textOf(tampered.text)).toContain('The sign-in could not be completed');
    expect(jar.cookie(base, 'pxauth_console')).toBeUndefined();

    // A whole sign-in, then its callback again with the flow cookie it had: the provider's code is spent.
    const again = new CookieJar();
    const url = await toCallback(again, 'ana');
    const flow = again.cookie(base, 'pxauth_console_oidc')!;
    expect((await again.visit(url)).status).toBe(200);
    const thief = new CookieJar();
    thief.setCookie(base, 'pxauth_console_oidc', flow, '/console');
    const replayed = await thief.visit(url);
    expect(replayed.status).toBe(401);
    expect(thief.cookie(base, 'pxauth_console')).toBeUndefined();
    // Without the cookie at all (another browser): refused before the provider is asked.
    expect((await new CookieJar().visit(url)).status).toBe(401);
  });

  it('signs out: the session ends, the provider is asked to sign out too and sends the browser back', async () => {
    const { jar } = await signIn('ana');
    const session = jar.cookie(base, 'pxauth_console')!;
    const users = await jar.visit(`${base}/console/users`);
    const out = await jar.visit(`${base}/console/logout`, { form: { _csrf: formOf(users.text).fields._csrf } });
    expect(out.status).toBe(200);
    const away = new URL(/^0;url=(.+)$/.exec(out.headers.get('refresh') ?? '')![1]);
    expect(`${away.origin}${away.pathname}`).toBe(`${op.issuer}/session/end`);
    expect(away.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/console/login?out=1`);
    expect(away.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const old = new CookieJar();
    old.setCookie(base, 'pxauth_console', session, '/console');
    const refused = await old.visit(`${base}/console/users`, { until: () => true });
    expect(refused.status).toBe(303);
    const digest = createHash('sha256').update(session).digest('hex');
    expect(await storedRows(t, 'SELECT subject FROM console_session WHERE id_hash = ?', [digest])).toHaveLength(0);

    const confirm = await jar.visit(away.toString());
    const { action, fields } = formOf(confirm.text);
    const back = await jar.visit(new URL(action, confirm.url).toString(), { form: { ...fields, logout: 'yes' } });
    expect(back.url).toBe(`${base}/console/login?out=1`);
    expect(textOf(back.text)).toContain('You are signed out.');
  });

  it('keeps no ID token or provider secret in clear in the database', async () => {
    await signIn('ana');
    const rows = await storedRows<{ id_token: string }>(t, 'SELECT id_token FROM console_session WHERE subject = ?', [
      'ana',
    ]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.id_token).not.toMatch(/^eyJ/);
  });

  it('keeps the staff-key sign-in beside it', async () => {
    const c = await ConsoleClient.signedIn(t, KEYS.support);
    expect(textOf((await c.get('/console/users')).text)).toContain('Signed in as sandbox support (support)');
  });
});

describe(`console sign-in through OpenID Connect, the provider down at start (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let op: TestProvider | undefined;

  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  it('starts, keeps staff keys working, says the provider cannot be reached, and signs in once it answers', async () => {
    const [port, opPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    t = await TestApp.start(oidcEnv(`http://localhost:${opPort}`, port));
    const c = await ConsoleClient.signedIn(t, KEYS.admin);
    expect((await c.get('/console/users')).status).toBe(200);

    const jar = new CookieJar();
    const down = await jar.visit(`${base}/console/oidc/start`);
    expect(down.status).toBe(503);
    expect(textOf(down.text)).toContain('The sign-in provider cannot be reached right now');
    expect(t.logs.join('')).toMatch(/OpenID Connect discovery failed/);

    op = await TestProvider.start(ACCOUNTS, base, opPort);
    const form = await jar.visit(`${base}/console/oidc/start`);
    expect(new URL(form.url).origin).toBe(op.issuer);
    const done = await jar.visit(new URL(formOf(form.text).action, form.url).toString(), { form: { login: 'ana' } });
    expect({ url: done.url, status: done.status }).toEqual({
      url: expect.stringContaining('/console/oidc/callback?'),
      status: 200,
    });
    expect(textOf((await jar.visit(`${base}/console/users`)).text)).toContain('Signed in as Ana Ruiz (support)');
  });
});

describe(`console sign-in through OpenID Connect, the groups only at the userinfo endpoint (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let op: TestProvider;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    op = await TestProvider.start(ACCOUNTS, base, 0, { claimsInUserinfoOnly: true });
    t = await TestApp.start(oidcEnv(op.issuer, port));
  });
  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  const signIn = async (account: string) => {
    const jar = new CookieJar();
    const form = await jar.visit(`${base}/console/oidc/start`);
    const done = await jar.visit(new URL(formOf(form.text).action, form.url).toString(), { form: { login: account } });
    return { jar, done };
  };

  it('reads the role and the name from userinfo when the ID token lacks them', async () => {
    const { jar, done } = await signIn('boss');
    expect(done.status).toBe(200);
    expect(textOf((await jar.visit(`${base}/console/users`)).text)).toContain('Signed in as Bo Admin (admin)');
  });

  it('still refuses a person whose userinfo groups map to no role', async () => {
    const { jar, done } = await signIn('stranger');
    expect(done.status).toBe(403);
    expect((await jar.visit(`${base}/console/users`, { until: () => true })).status).not.toBe(200);
  });
});
