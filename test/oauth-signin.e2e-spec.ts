import request from 'supertest';
import { DataSource } from 'typeorm';
import { STATE_MAX } from '@/oauth/sign-in.controller';
import { SignInCookies } from '@/oauth/sign-in-cookie';
import { PurgeJob } from '@/retention/purge.job';
import { KBA_ANSWERS, PASSWORD, Res, TestApp, totpAt, wrongTotp } from './support/harness';
import { Browser, PLAID_REDIRECT, inputValues, redirected } from './support/oauth';
import { storedRows } from './support/stored';

// The hosted sign-in, one flow with the legacy path (docs/oauth.md).
describe('OAuth sign-in pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A form post carrying exactly this sign-in cookie (a copy of it, a second tab, another replica). */
  async function postWith(
    cookie: string,
    fields: Record<string, string>,
    app = t,
    path = '/oauth2/signin',
  ): Promise<Res> {
    const r = await request(app.px.publicServer)
      .post(path)
      .set('Cookie', `pxauth_signin=${cookie}`)
      .type('form')
      .send(new URLSearchParams(fields).toString());
    return { status: r.status, body: r.body, text: r.text, headers: r.headers };
  }

  it('authorize: a page with the CSRF token, a HttpOnly SameSite=Lax cookie that expires with the challenge, never framed or cached', async () => {
    const b = new Browser(t);
    const r = await b.authorize();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['content-security-policy']).toContain("form-action 'self' https://cdn.plaid.com");
    expect(r.headers['x-frame-options']).toBe('DENY');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^pxauth_signin=[A-Za-z0-9_-]+; Path=\/oauth2; Max-Age=(599|600); HttpOnly; SameSite=Lax$/);
    // Sealed (AES-256-GCM): neither the state nor the client reads in it.
    expect(Buffer.from(cookie.split(/[=;]/)[1], 'base64url').toString('latin1')).not.toMatch(/st-123|sandbox-client/);
    expect(b.csrf).toMatch(/^[0-9a-f]{64}$/);
    // Accessible and self-contained: labels for each field, no script, nothing from another origin.
    expect(r.text).toContain('<label for="username">Username</label>');
    expect(r.text).toContain('<label for="password">Password</label>');
    expect(r.text).toContain('<html lang="en">');
    expect(r.text).not.toMatch(/<script|https?:\/\/(?!cdn\.plaid\.com)/);
  });

  it('the cookie is Secure when the customer reaches pxauth over TLS (an https OAUTH_ISSUER)', async () => {
    const tls = await TestApp.start({ OAUTH_ISSUER: 'https://bank.example' });
    try {
      const r = await new Browser(tls).authorize();
      expect(String(r.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await tls.stop();
    }
  });

  it('is served on the public listener only', async () => {
    const r = await t.admin('GET', '/oauth2/authorize?client_id=sandbox-client', undefined, null);
    expect(r.status).toBe(404);
  });

  it("Plaid's long state comes back as it was, up to 1,024 characters, with iss (RFC 9207)", async () => {
    const state = `eyJ${'A-_.~+/='.repeat(127)}AAAA=`;
    expect(state.length).toBe(STATE_MAX);
    const b = new Browser(t);
    const page = await b.authorize({ state });
    // The longest sign-in still fits the 4 KiB a browser keeps of one cookie.
    expect(String(page.headers['set-cookie']).length).toBeLessThan(4096);
    const u = redirected(await b.signIn('user_good', PASSWORD));
    expect([u.searchParams.get('state'), u.searchParams.get('iss')]).toEqual([state, 'http://localhost:3000']);
    expect(u.searchParams.get('code')).toBeTruthy();
  });

  it('a state over 1,024 characters, or not printable ASCII (RFC 6749 A.5), is an error page, never a redirect', async () => {
    for (const state of ['x'.repeat(STATE_MAX + 1), 'caf\u00e9', 'two\nlines']) {
      const r = await new Browser(t).authorize({ state });
      expect([r.status, r.headers.location, r.headers['set-cookie']]).toEqual([400, undefined, undefined]);
      expect(r.text).toContain('This sign-in link is not valid');
    }
  });

  it('1,000 anonymous authorize requests write no row', async () => {
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          ['oauth_sign_in', 'oauth_code', 'login_guard', 'audit_event', 'challenge'].map(async (table) => [
            table,
            Number((await storedRows<{ n: number }>(t, `SELECT COUNT(*) AS n FROM ${table}`))[0].n),
          ]),
        ),
      );
    const before = await counts();
    let served = 0;
    // From 127.0.0.1 alone (the harness raises the per-address limit), fifty at a time.
    for (let i = 0; i < 20; i++) {
      const rs = await Promise.all(
        Array.from({ length: 50 }, (_, j) => new Browser(t).authorize({ state: `anon-${i}-${j}` })),
      );
      served += rs.filter((r) => r.status === 200 && /pxauth_signin=/.test(String(r.headers['set-cookie']))).length;
    }
    expect(served).toBe(1000);
    expect(await counts()).toEqual(before);
  });

  it('a cookie altered, or kept past its sealed expiry, opens nothing', async () => {
    const b = new Browser(t);
    await b.authorize();
    const cookie = /pxauth_signin=([^;]+)/.exec(String(b.last.headers['set-cookie']))![1];
    const flipped = cookie.slice(0, 30) + (cookie[30] === 'A' ? 'B' : 'A') + cookie.slice(31);
    const cookies = t.px.app.get(SignInCookies);
    const pending = cookies.open(cookie)!;
    const expired = cookies.seal({ ...pending, expiresAt: Date.now() - 1 });
    for (const value of [flipped, expired, 'x'.repeat(5000)]) {
      const r = await postWith(value, { username: 'user_good', password: PASSWORD, _csrf: b.csrf });
      expect([r.status, r.headers.location]).toEqual([400, undefined]);
      expect(r.text).toContain('This sign-in has expired');
    }
    // The cookie as it was still opens its sign-in.
    expect(
      redirected(await postWith(cookie, { username: 'user_good', password: PASSWORD, _csrf: b.csrf })).searchParams.get(
        'code',
      ),
    ).toBeTruthy();
  });

  it('in Spanish by Accept-Language', async () => {
    const r = await new Browser(t, 'es-MX,es;q=0.9').authorize();
    expect(r.text).toContain('<html lang="es">');
    expect(r.text).toContain('Contraseña');
  });

  it('an unknown client or an unregistered redirect URI is an error page, never a redirect', async () => {
    for (const params of [
      { client_id: 'nobody' },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: undefined },
      { redirect_uri: 'http://127.0.0.1:9/elsewhere' },
    ]) {
      const r = await new Browser(t).authorize(params);
      expect([r.status, r.headers.location]).toEqual([400, undefined]);
      expect(r.text).toContain('This sign-in link is not valid');
    }
  });

  it('a password only: the redirect carries code, state and iss; the events name the oauth path', async () => {
    const b = new Browser(t);
    await b.authorize();
    const cookie = /pxauth_signin=([^;]+)/.exec(String(b.last.headers['set-cookie']))![1];
    const u = redirected(await b.signIn('user_good', PASSWORD));
    expect(u.origin + u.pathname).toBe(PLAID_REDIRECT);
    expect(u.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('state')).toBe('st-123');
    expect(u.searchParams.get('iss')).toBe('http://localhost:3000');
    expect([...u.searchParams.keys()]).toEqual(['code', 'state', 'iss']);
    const events = await t.events(await t.userIdOf('user_good'));
    expect(events[0]).toMatchObject({ type: 'login', outcome: 'success', detail: { path: 'oauth' } });
    // The sign-in is over: the browser's cookie is cleared, and a copy of it opens nothing any more.
    expect(String(b.last.headers['set-cookie'])).toMatch(/^pxauth_signin=; .*Max-Age=0/);
    const again = await postWith(cookie, { username: 'user_good', password: PASSWORD, _csrf: b.csrf });
    expect([again.status, again.text.includes('This sign-in has expired')]).toEqual([400, true]);
  });

  it('two right passwords posted at once on one sign-in, to two replicas: exactly one code', async () => {
    const other = await TestApp.start({ DATABASE_URL: t.databaseUrl });
    try {
      const u = await t.createUser('oauth_race');
      for (let round = 0; round < 3; round++) {
        const b = new Browser(t);
        await b.authorize({ state: `race-${round}` });
        const cookie = /pxauth_signin=([^;]+)/.exec(String(b.last.headers['set-cookie']))![1];
        const fields = { username: u.username, password: u.password, _csrf: b.csrf };
        const rs = await Promise.all([postWith(cookie, fields, t), postWith(cookie, fields, other)]);
        const codes = rs
          .filter((r) => r.status === 303)
          .map((r) => new URL(r.headers.location).searchParams.get('code'));
        expect(codes).toHaveLength(1);
        expect(codes[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const lost = rs.find((r) => r.status !== 303)!;
        expect([lost.status, lost.text.includes('already sent on')]).toEqual([409, true]);
      }
      const stored = await storedRows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM oauth_code WHERE user_id = ?', [
        u.userId,
      ]);
      expect(Number(stored[0].n)).toBe(3);
    } finally {
      await other.stop(false);
    }
  });

  it('two right passwords at once for a user with a second factor: one challenge, both pages ask for it', async () => {
    const u = await t.createUser('oauth_race_totp', { totp: true });
    const b = new Browser(t);
    await b.authorize();
    const cookie = /pxauth_signin=([^;]+)/.exec(String(b.last.headers['set-cookie']))![1];
    const fields = { username: u.username, password: u.password, _csrf: b.csrf };
    const rs = await Promise.all([postWith(cookie, fields), postWith(cookie, fields)]);
    expect(rs.map((r) => [r.status, r.text.includes('authenticator app')])).toEqual([
      [200, true],
      [200, true],
    ]);
    const rows = await storedRows<{ challenge_id: string }>(
      t,
      'SELECT challenge_id FROM oauth_sign_in WHERE user_id = ? AND ended_at IS NULL',
      [u.userId],
    );
    expect(rows).toHaveLength(1);
    const ok = redirected(await postWith(cookie, { passcode: totpAt(u.secret!), _csrf: b.csrf }, t, '/oauth2/verify'));
    expect(ok.searchParams.get('code')).toBeTruthy();
  });

  it('a wrong password shows the form again with the error announced; the CSRF token is required', async () => {
    const b = new Browser(t);
    await b.authorize();
    const wrong = await b.signIn('user_good', 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/role="alert"[^>]*>.*The username or password is incorrect/s);
    expect(wrong.text).toContain('aria-invalid="true"');
    const forged = await b.post('/oauth2/signin', { username: 'user_good', password: PASSWORD, _csrf: 'f'.repeat(64) });
    expect([forged.status, forged.headers.location]).toEqual([403, undefined]);
  });

  it('OTP: choose a method, the code from the outbox, then the redirect with a code', async () => {
    const b = new Browser(t);
    await b.authorize();
    const page = await b.signIn('user_otp', PASSWORD);
    expect(page.status).toBe(200);
    const methods = inputValues(page.text, 'send_method_id');
    expect(methods).toHaveLength(3);
    expect(page.text).toContain('(***) ***-0123');
    expect((await b.post('/oauth2/verify', { passcode: '000000' })).text).toContain('Send yourself a code first');
    const sent = await b.post('/oauth2/send', { send_method_id: methods[0] });
    expect(sent.text).toContain('We sent you a code');
    const code = (await t.outboxCode('+14155550123'))!;
    const u = redirected(await b.post('/oauth2/verify', { passcode: code }));
    expect(u.searchParams.get('code')).toBeTruthy();
    const events = await t.events(await t.userIdOf('user_otp'));
    expect(events.find((e) => e.type === 'otp_send')).toMatchObject({ outcome: 'sent', detail: { path: 'oauth' } });
    expect(events.find((e) => e.type === '2fa')).toMatchObject({ outcome: 'success', detail: { path: 'oauth' } });
  });

  it('TOTP: a wrong code is announced and counted, the right one redirects', async () => {
    const u = await t.createUser('oauth_totp', { totp: true });
    const b = new Browser(t);
    await b.authorize();
    expect((await b.signIn(u.username, u.password)).text).toContain('authenticator app');
    const wrong = await b.post('/oauth2/verify', { passcode: wrongTotp(u.secret!) });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That answer is incorrect');
    const ok = redirected(await b.post('/oauth2/verify', { passcode: totpAt(u.secret!) }));
    expect(ok.searchParams.get('state')).toBe('st-123');
    expect(ok.searchParams.get('code')).toBeTruthy();
  });

  it("KBA: the questions, answered in Plaid's answers[i] form", async () => {
    const b = new Browser(t);
    await b.authorize();
    const page = await b.signIn('user_kba', PASSWORD);
    const ids = inputValues(page.text, 'answers[0].question_id').concat(
      inputValues(page.text, 'answers[1].question_id'),
    );
    expect(ids).toHaveLength(2);
    const texts = [...page.text.matchAll(/<label for="answer-\d">([^<]+)<\/label>/g)].map((m) =>
      m[1].replace(/&#39;/g, "'"),
    );
    const form = new URLSearchParams();
    ids.forEach((id, i) => {
      form.append(`answers[${i}].question_id`, id);
      form.append(`answers[${i}].text`, KBA_ANSWERS[texts[i]]);
    });
    expect(redirected(await b.post('/oauth2/verify', form)).searchParams.get('code')).toBeTruthy();
  });

  it('locked and pending terms: a page saying so, then access_denied with the state', async () => {
    for (const [username, words] of [
      ['user_locked', 'Your account is locked'],
      ['user_terms', 'accept the updated terms'],
    ]) {
      const b = new Browser(t);
      await b.authorize({ state: `s-${username}` });
      const r = await b.signIn(username, PASSWORD);
      expect(r.status).toBe(403);
      expect(r.text).toContain(words);
      const href = /<a class="button" href="([^"]+)"/.exec(r.text)![1].replace(/&amp;/g, '&');
      const u = new URL(href);
      expect([u.searchParams.get('error'), u.searchParams.get('state'), u.searchParams.get('iss')]).toEqual([
        'access_denied',
        `s-${username}`,
        'http://localhost:3000',
      ]);
    }
  });

  it('cancel: access_denied with the state', async () => {
    const b = new Browser(t);
    await b.authorize({ state: 'cancel-me' });
    const u = redirected(await b.post('/oauth2/cancel'));
    expect([...u.searchParams.entries()]).toEqual([
      ['error', 'access_denied'],
      ['state', 'cancel-me'],
      ['iss', 'http://localhost:3000'],
    ]);
  });

  it('PKCE plain is refused, and an unknown response_type: redirects with the error and the state', async () => {
    const plain = redirected(await new Browser(t).authorize({ code_challenge: 'x'.repeat(43) }));
    expect([...plain.searchParams.entries()]).toEqual([
      ['error', 'invalid_request'],
      ['state', 'st-123'],
      ['iss', 'http://localhost:3000'],
    ]);
    const m = redirected(
      await new Browser(t).authorize({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }),
    );
    expect(m.searchParams.get('error')).toBe('invalid_request');
    const token = redirected(await new Browser(t).authorize({ response_type: 'token' }));
    expect(token.searchParams.get('error')).toBe('unsupported_response_type');
  });

  it('maintenance, at the authorize step or mid sign-in: temporarily_unavailable with the state', async () => {
    const midway = new Browser(t);
    await midway.authorize({ state: 'midway' });
    await t.admin('PUT', '/admin/maintenance', { enabled: true });
    try {
      const u = redirected(await new Browser(t).authorize());
      expect([u.searchParams.get('error'), u.searchParams.get('state')]).toEqual(['temporarily_unavailable', 'st-123']);
      const m = redirected(await midway.signIn('user_good', PASSWORD));
      expect([m.searchParams.get('error'), m.searchParams.get('state'), m.searchParams.get('iss')]).toEqual([
        'temporarily_unavailable',
        'midway',
        'http://localhost:3000',
      ]);
    } finally {
      await t.admin('PUT', '/admin/maintenance', { enabled: false });
    }
  });

  it('lockout is shared: wrong passwords on either path lock both', async () => {
    const u = await t.createUser('oauth_lock');
    for (let i = 0; i < 3; i++) expect((await t.login(u.username, 'wrong')).status).toBe(401);
    const b = new Browser(t);
    await b.authorize();
    for (let i = 0; i < 2; i++) expect((await b.signIn(u.username, 'wrong')).status).toBe(401);
    expect((await t.login(u.username, u.password)).status).toBe(403);
    const r = await b.signIn(u.username, u.password);
    expect([r.status, r.text.includes('Your account is locked')]).toEqual([403, true]);

    const v = await t.createUser('oauth_lock2');
    for (let i = 0; i < 5; i++) {
      const c = new Browser(t);
      await c.authorize();
      expect((await c.signIn(v.username, 'wrong')).status).toBe(401);
    }
    expect((await t.login(v.username, v.password)).status).toBe(403);
  });

  it('expired sign-ins and codes are purged', async () => {
    const b = new Browser(t);
    await b.authorize();
    // Past the password: the sign-in now has its row, waiting on the OTP challenge.
    expect((await b.signIn('user_otp', PASSWORD)).status).toBe(200);
    const ds = t.px.app.get(DataSource);
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM oauth_sign_in WHERE ended_at IS NULL'))[0].n)).toBe(1);
    await ds.query(`UPDATE oauth_sign_in SET expires_at = ${Date.now() - 1000}`);
    await ds.query(`UPDATE oauth_code SET expires_at = ${Date.now() - 2 * 3_600_000}`);
    expect((await b.post('/oauth2/verify', { passcode: '123456' })).text).toContain('This sign-in has expired');
    // Rows go once expired; the cookie, sealed with the same expiry, has by then expired too.
    const counts = await t.px.app.get(PurgeJob).runOnce();
    expect(counts.oauth).toBeGreaterThan(1);
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM oauth_sign_in'))[0].n)).toBe(0);
  });

  it('the stylesheet is served by pxauth itself', async () => {
    const b = new Browser(t);
    await b.authorize();
    expect(b.last.text).toContain('href="/oauth2/assets/signin.css"');
    const css = await request(t.px.publicServer).get('/oauth2/assets/signin.css');
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect(css.text).toContain('outline');
  });
});
