import request from 'supertest';
import { DataSource } from 'typeorm';
import { PurgeJob } from '@/retention/purge.job';
import { KBA_ANSWERS, PASSWORD, TestApp, totpAt, wrongTotp } from './support/harness';
import { Browser, PLAID_REDIRECT, inputValues, redirected } from './support/oauth';

// PRODUCT.md section 14: the hosted sign-in, one flow with the legacy path.
describe('OAuth sign-in pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

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
    expect(cookie).toMatch(
      /^pxauth_signin=[A-Za-z0-9_-]{43}; Path=\/oauth2; Max-Age=(599|600); HttpOnly; SameSite=Lax$/,
    );
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

  it("Plaid's long state comes back as it was", async () => {
    const state = `eyJ${'A'.repeat(2000)}`;
    const b = new Browser(t);
    await b.authorize({ state });
    expect(redirected(await b.signIn('user_good', PASSWORD)).searchParams.get('state')).toBe(state);
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

  it('a password only: the redirect carries code and state; the events name the oauth path', async () => {
    const b = new Browser(t);
    await b.authorize();
    const u = redirected(await b.signIn('user_good', PASSWORD));
    expect(u.origin + u.pathname).toBe(PLAID_REDIRECT);
    expect(u.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('state')).toBe('st-123');
    const events = await t.events(await t.userIdOf('user_good'));
    expect(events[0]).toMatchObject({ type: 'login', outcome: 'success', detail: { path: 'oauth' } });
    // The sign-in is over: its cookie opens nothing any more.
    expect((await b.signIn('user_good', PASSWORD)).text).toContain('This sign-in has expired');
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
      expect([u.searchParams.get('error'), u.searchParams.get('state')]).toEqual(['access_denied', `s-${username}`]);
    }
  });

  it('cancel: access_denied with the state', async () => {
    const b = new Browser(t);
    await b.authorize({ state: 'cancel-me' });
    const u = redirected(await b.post('/oauth2/cancel'));
    expect([u.searchParams.get('error'), u.searchParams.get('state')]).toEqual(['access_denied', 'cancel-me']);
  });

  it('PKCE plain is refused, and an unknown response_type: redirects with the error and the state', async () => {
    const plain = redirected(await new Browser(t).authorize({ code_challenge: 'x'.repeat(43) }));
    expect([plain.searchParams.get('error'), plain.searchParams.get('state')]).toEqual(['invalid_request', 'st-123']);
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
      expect([m.searchParams.get('error'), m.searchParams.get('state')]).toEqual(['temporarily_unavailable', 'midway']);
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
    const ds = t.px.app.get(DataSource);
    await ds.query(`UPDATE oauth_sign_in SET expires_at = ${Date.now() - 1000}`);
    await ds.query(`UPDATE oauth_code SET expires_at = ${Date.now() - 2 * 3_600_000}`);
    const counts = await t.px.app.get(PurgeJob).runOnce();
    expect(counts.oauth).toBeGreaterThan(1);
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM oauth_sign_in'))[0].n)).toBe(0);
    expect((await b.signIn('user_good', PASSWORD)).text).toContain('This sign-in has expired');
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
