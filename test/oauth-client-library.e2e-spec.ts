import { Issuer, errors, generators } from 'openid-client';
import { CLIENT, PASSWORD, TestApp } from './support/harness';
import { Browser, introspect, redirected } from './support/oauth';

const ISSUER = 'http://pxauth.test';

// The flow driven by a maintained OAuth/OIDC client library (openid-client 5), which checks the
// id_token (signature against /oauth2/jwks, iss, aud, exp, nonce) and sends PKCE on its own.
describe('OAuth with openid-client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ OAUTH_ISSUER: ISSUER });
  });
  afterAll(async () => {
    await t.stop();
  });

  function client() {
    const base = t.px.publicUrl;
    const issuer = new Issuer({
      issuer: ISSUER,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/oauth2/jwks`,
      // RFC 9207: the library then requires `iss` in every authorization response and checks it.
      authorization_response_iss_parameter_supported: true,
    });
    return new issuer.Client({
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      redirect_uris: ['http://127.0.0.1:8765/callback'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    });
  }

  /** The customer signs in on the pages at the URL the library built; the library's callback URL comes back. */
  async function signIn(url: string): Promise<string> {
    const b = new Browser(t);
    const u = new URL(url);
    expect((await b.get(u.pathname + u.search)).status).toBe(200);
    return redirected(await b.signIn('user_good', PASSWORD)).toString();
  }

  it('authorization code with PKCE S256 and a nonce; the id_token checked by the library; refresh', async () => {
    const c = client();
    const verifier = generators.codeVerifier();
    const state = generators.state();
    const nonce = generators.nonce();
    const url = c.authorizationUrl({
      scope: 'openid offline_access',
      code_challenge: generators.codeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const back = await signIn(url);
    const params = c.callbackParams(back);
    expect(params.state).toBe(state);
    const tokens = await c.callback('http://127.0.0.1:8765/callback', params, {
      code_verifier: verifier,
      state,
      nonce,
    });
    const claims = tokens.claims();
    const userId = await t.userIdOf('user_good');
    expect(claims).toMatchObject({ iss: ISSUER, sub: userId, aud: CLIENT.id, nonce });
    expect(typeof claims.auth_time).toBe('number');
    expect(tokens.token_type).toBe('Bearer');
    expect((await introspect(t, tokens.access_token!)).sub).toBe(userId);

    const refreshed = await c.refresh(tokens.refresh_token!);
    expect(refreshed.claims().sub).toBe(userId);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // No rotation: the same refresh token still works.
    expect((await c.refresh(tokens.refresh_token!)).access_token).toBeTruthy();
  });

  it('a wrong code_verifier: the library gets invalid_grant', async () => {
    const c = client();
    const verifier = generators.codeVerifier();
    const state = generators.state();
    const url = c.authorizationUrl({
      scope: 'openid',
      code_challenge: generators.codeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const params = c.callbackParams(await signIn(url));
    const refused = c.callback('http://127.0.0.1:8765/callback', params, {
      code_verifier: generators.codeVerifier(),
      state,
    });
    await expect(refused).rejects.toBeInstanceOf(errors.OPError);
    await expect(refused).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
