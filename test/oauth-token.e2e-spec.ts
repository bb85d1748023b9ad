import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { CLIENT, PASSWORD, TestApp } from './support/harness';
import {
  Browser,
  PLAID_REDIRECT,
  exchangeCode,
  introspect,
  pkcePair,
  redirected,
  signInCode,
  tokenRequest,
} from './support/oauth';

// docs/oauth.md: POST /oauth2/token, and OAuth's tokens in the introspection docs/api.md describes.
describe('OAuth token endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ OAUTH_ISSUER: 'http://bank.example:3000' });
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A code for `username` through the pages, with the given authorize parameters. */
  const codeFor = (username = 'user_good', params: Record<string, string> = {}, password = PASSWORD) =>
    signInCode(t, username, password, params);
  const exchange = (code: string, extra: Record<string, string> = {}, opts = {}) => exchangeCode(t, code, extra, opts);

  it("authorization_code as Plaid sends it: JSON, Basic, and its redirect_url spelling; an id_token with Plaid's sub", async () => {
    const code = await codeFor();
    const r = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, redirect_url: PLAID_REDIRECT },
      { json: true, auth: 'basic' },
    );
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      token_type: 'Bearer',
      expires_in: 900,
      id_token: expect.any(String),
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user_id: await t.userIdOf('user_good'),
    });
    // The same user_id as the legacy path gives (docs/api.md).
    expect((await t.login('user_good')).body.user_id).toBe(r.body.user_id);
    const jwks = (await request(t.px.publicServer).get('/oauth2/jwks')).body;
    const { payload, protectedHeader } = await jwtVerify(r.body.id_token, createLocalJWKSet(jwks), {
      issuer: 'http://bank.example:3000',
      audience: CLIENT.id,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: r.body.user_id, aud: CLIENT.id, iss: 'http://bank.example:3000' });
    expect(payload.exp! - payload.iat!).toBe(900);
    const now = Math.floor(Date.now() / 1000);
    expect(payload.auth_time).toBeGreaterThan(now - 60);
    expect(payload.auth_time).toBeLessThanOrEqual(payload.iat!);

    const access = await introspect(t, r.body.access_token);
    expect(access).toMatchObject({ active: true, sub: r.body.user_id, client_id: CLIENT.id, token_type: 'Bearer' });
    expect(access.exp - access.iat).toBe(900);
    const refresh = await introspect(t, r.body.refresh_token);
    expect(refresh).toMatchObject({ active: true, sub: r.body.user_id, token_type: 'refresh_token' });
    expect(refresh.exp - refresh.iat).toBe(395 * 86_400);
  });

  it('form body with the client in the body; wrong client credentials are 401 invalid_client', async () => {
    const code = await codeFor();
    const bad = await exchange(code, {}, { auth: 'basic', client: { id: CLIENT.id, secret: 'wrong' } });
    expect([bad.status, bad.body]).toEqual([401, { error: 'invalid_client' }]);
    expect(bad.headers['www-authenticate']).toMatch(/^Basic/);
    const badBody = await exchange(code, {}, { auth: 'body', client: { id: 'nobody', secret: 'x' } });
    expect([badBody.status, badBody.body]).toEqual([401, { error: 'invalid_client' }]);
    const ok = await exchange(code, {}, { auth: 'body' });
    expect([ok.status, ok.body.token_type]).toEqual([200, 'Bearer']);
  });

  it('RFC 6749 5.2 errors: unsupported_grant_type, invalid_request, invalid_grant for a wrong redirect_uri', async () => {
    expect((await tokenRequest(t, { grant_type: 'password' })).body).toEqual({ error: 'unsupported_grant_type' });
    const missing = await tokenRequest(t, { grant_type: 'authorization_code' });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    const code = await codeFor();
    const wrong = await exchange(code, { redirect_uri: 'https://elsewhere.example/cb' });
    expect([wrong.status, wrong.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect((await exchange('not-a-code')).body).toEqual({ error: 'invalid_grant' });
  });

  it('PKCE S256: the right verifier works, a wrong or missing one is invalid_grant', async () => {
    const p = pkcePair();
    const pkce = { code_challenge: p.challenge, code_challenge_method: 'S256' };
    expect((await exchange(await codeFor('user_good', pkce), { code_verifier: p.verifier })).status).toBe(200);
    const wrong = await exchange(await codeFor('user_good', pkce), { code_verifier: pkcePair().verifier });
    expect([wrong.status, wrong.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect((await exchange(await codeFor('user_good', pkce))).body).toEqual({ error: 'invalid_grant' });
    // A verifier for a code issued without a challenge is a downgrade: refused too.
    expect((await exchange(await codeFor(), { code_verifier: p.verifier })).body).toEqual({ error: 'invalid_grant' });
  });

  it('a code is single use: the second use is refused and revokes what the first issued', async () => {
    const code = await codeFor();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const second = await exchange(code);
    expect([second.status, second.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect(await introspect(t, first.body.access_token)).toEqual({ active: false });
    expect(await introspect(t, first.body.refresh_token)).toEqual({ active: false });
  });

  it('two exchanges of one code at once: at most one answers, and whatever was issued ends revoked', async () => {
    for (let round = 0; round < 3; round++) {
      const code = await codeFor();
      const answers = await Promise.all([exchange(code), exchange(code), exchange(code)]);
      const ok = answers.filter((a) => a.status === 200);
      expect(ok.length).toBeLessThanOrEqual(1);
      expect(answers.filter((a) => a.status === 400).every((a) => a.body.error === 'invalid_grant')).toBe(true);
      for (const a of ok) {
        expect(await introspect(t, a.body.access_token)).toEqual({ active: false });
        expect(await introspect(t, a.body.refresh_token)).toEqual({ active: false });
      }
    }
  });

  it('a code lives OAUTH_CODE_TTL', async () => {
    const short = await TestApp.start({ OAUTH_CODE_TTL: '1s' });
    try {
      const b = new Browser(short);
      await b.authorize();
      const code = redirected(await b.signIn('user_good', PASSWORD)).searchParams.get('code')!;
      await new Promise((r) => setTimeout(r, 1_100));
      const r = await tokenRequest(short, { grant_type: 'authorization_code', code, redirect_uri: PLAID_REDIRECT });
      expect(r.body).toEqual({ error: 'invalid_grant' });
    } finally {
      await short.stop();
    }
  });

  it('refresh: a new access token and id_token, and the refresh token stays valid (no rotation)', async () => {
    const tokens = (await exchange(await codeFor())).body;
    for (let i = 0; i < 2; i++) {
      const r = await tokenRequest(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { json: true },
      );
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'token_type']);
      expect(r.body.access_token).not.toBe(tokens.access_token);
      expect((await introspect(t, r.body.access_token)).active).toBe(true);
    }
    // Another client cannot use it; a refresh token is not an access token's grant either.
    const other = await t.admin('POST', '/admin/clients', { name: 'other' });
    const client = { id: other.body.client_id, secret: other.body.client_secret };
    const stolen = await tokenRequest(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { client },
    );
    expect(stolen.body).toEqual({ error: 'invalid_grant' });
    const wrongKind = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.access_token });
    expect(wrongKind.body).toEqual({ error: 'invalid_grant' });
  });

  it('revocation of an access or a refresh token (RFC 7009)', async () => {
    const tokens = (await exchange(await codeFor())).body;
    await t.admin('POST', '/tokens/revoke', { token: tokens.access_token }, 'sandbox-rs-key');
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    expect((await introspect(t, tokens.refresh_token)).active).toBe(true);
    await t.admin('POST', '/tokens/revoke', { token: tokens.refresh_token }, 'sandbox-rs-key');
    const r = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(r.body).toEqual({ error: 'invalid_grant' });
  });

  it("a password change revokes the user's tokens of both paths, and voids a code not yet exchanged", async () => {
    const u = await t.createUser('oauth_pw');
    const oauth = (await exchange(await codeFor(u.username, {}, u.password))).body;
    const pending = await codeFor(u.username, {}, u.password);
    const legacy = await t.login(u.username, u.password);
    expect(legacy.status).toBe(200);
    expect((await introspect(t, legacy.body.auth_token)).active).toBe(true);
    const changed = await t.admin('POST', `/admin/users/${u.userId}/password`, { password: 'new-Secret-1!' });
    expect(changed.status).toBe(200);
    expect(await introspect(t, oauth.access_token)).toEqual({ active: false });
    expect(await introspect(t, oauth.refresh_token)).toEqual({ active: false });
    expect(await introspect(t, legacy.body.auth_token)).toEqual({ active: false });
    expect((await exchange(pending)).body).toEqual({ error: 'invalid_grant' });
  });
});
