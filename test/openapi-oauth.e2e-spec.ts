import request from 'supertest';
import { TestApp } from './support/harness';
import { Browser, exchangeCode, signInCode, tokenRequest } from './support/oauth';

/**
 * Plaid Exchange OAuth in the public OpenAPI document (README, "OAuth"): every endpoint with its
 * parameters, bodies and answers, and what the service really answers matching what it says.
 */
describe('OpenAPI: the OAuth endpoints', () => {
  let t: TestApp;
  let pub: any;
  beforeAll(async () => {
    t = await TestApp.start();
    pub = (await request(t.px.internalServer).get('/openapi.json')).body;
  });
  afterAll(() => t?.stop());

  const schemaOf = (s: any): any => (s.$ref ? pub.components.schemas[s.$ref.split('/').pop()] : s);
  const bodyOf = (path: string, type: string) => schemaOf(pub.paths[path].post.requestBody.content[type].schema);
  const answer = (path: string, method: string, status: number) => pub.paths[path][method].responses[String(status)];

  it('lists the authorize endpoint, the four forms, the token endpoint, the key set and the style sheet', () => {
    const oauth = Object.entries<any>(pub.paths)
      .filter(([p]) => p.startsWith('/oauth2/'))
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(oauth.sort()).toEqual([
      'GET /oauth2/assets/signin.css',
      'GET /oauth2/authorize',
      'GET /oauth2/jwks',
      'POST /oauth2/cancel',
      'POST /oauth2/send',
      'POST /oauth2/signin',
      'POST /oauth2/token',
      'POST /oauth2/verify',
    ]);
  });

  it("gives authorize's query parameters, its page, its redirect and its refusal page", async () => {
    const params = pub.paths['/oauth2/authorize'].get.parameters.filter((p: any) => p.in === 'query');
    const required = params.filter((p: any) => p.required).map((p: any) => p.name);
    expect(required.sort()).toEqual(['client_id', 'redirect_uri', 'response_type']);
    const byName = Object.fromEntries(params.map((p: any) => [p.name, p.schema]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['state', 'code_challenge', 'nonce']));
    expect([byName.response_type.enum, byName.code_challenge_method.enum]).toEqual([['code'], ['S256']]);
    expect(Object.keys(answer('/oauth2/authorize', 'get', 200).content)).toEqual(['text/html']);
    expect(Object.keys(answer('/oauth2/authorize', 'get', 303).headers)).toEqual(['Location']);
    // What a browser gets for a client it does not know: the documented page, not a redirect.
    const r = await request(t.px.publicServer).get('/oauth2/authorize').query({ client_id: 'nobody' });
    expect([r.status, r.headers['content-type']]).toEqual([400, expect.stringMatching(/^text\/html/)]);
    expect(Object.keys(answer('/oauth2/authorize', 'get', 400).content)).toEqual(['text/html']);
  });

  it("gives each form's fields, its CSRF token required, and the sign-in cookie", async () => {
    const forms: [string, string[]][] = [
      ['/oauth2/signin', ['_csrf', 'password', 'username']],
      ['/oauth2/send', ['_csrf', 'send_method_id']],
      ['/oauth2/verify', ['_csrf']],
      ['/oauth2/cancel', ['_csrf']],
    ];
    for (const [path, required] of forms) {
      const body = bodyOf(path, 'application/x-www-form-urlencoded');
      expect([path, [...body.required].sort()]).toEqual([path, required]);
      expect([path, pub.paths[path].post.security]).toEqual([path, [{ 'sign-in-cookie': [] }]]);
      expect([path, Object.keys(answer(path, 'post', 303).headers)]).toEqual([path, ['Location']]);
    }
    expect(Object.keys(bodyOf('/oauth2/verify', 'application/x-www-form-urlencoded').properties).sort()).toEqual([
      '_csrf',
      'answers',
      'passcode',
    ]);
    expect(pub.components.securitySchemes['sign-in-cookie']).toMatchObject({ in: 'cookie', name: 'pxauth_signin' });
    // The page the authorize endpoint serves posts those very fields, and sets that cookie.
    const b = new Browser(t);
    await b.authorize({});
    expect(b.last.headers['set-cookie']?.[0]).toMatch(/^pxauth_signin=/);
    for (const field of ['username', 'password', '_csrf']) expect(b.last.text).toContain(`name="${field}"`);
  });

  it('gives the token request both ways, its answer and RFC 6749 5.2 errors as the service answers them', async () => {
    const op = pub.paths['/oauth2/token'].post;
    expect(Object.keys(op.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(op.security).toEqual([{ 'oauth-client': [] }, {}]);
    expect(pub.components.securitySchemes['oauth-client']).toMatchObject({ type: 'http', scheme: 'basic' });
    const body = bodyOf('/oauth2/token', 'application/json');
    expect([body.required, body.properties.grant_type.enum]).toEqual([
      ['grant_type'],
      ['authorization_code', 'refresh_token'],
    ]);
    const documented = (status: number) =>
      schemaOf(answer('/oauth2/token', 'post', status).content['application/json'].schema);

    const code = await signInCode(t);
    const ok = await exchangeCode(t, code, {}, { json: true });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(Object.keys(documented(200).properties).sort());
    expect([...documented(200).required].sort()).toEqual(['access_token', 'expires_in', 'id_token', 'token_type']);

    const refusals: [number, Promise<{ status: number; body: any }>][] = [
      [400, tokenRequest(t, { grant_type: 'password' })],
      [400, exchangeCode(t, code)], // used already
      [401, tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x' }, { client: { id: 'a', secret: 'b' } })],
    ];
    for (const [status, pending] of refusals) {
      const r = await pending;
      const schema = documented(status);
      expect([r.status, Object.keys(r.body).every((k) => k in schema.properties)]).toEqual([status, true]);
      expect([status, r.body.error, schema.properties.error.enum.includes(r.body.error)]).toEqual([
        status,
        r.body.error,
        true,
      ]);
    }
    expect(documented(503).properties.retry_at.format).toBe('date-time');
    expect(Object.keys(answer('/oauth2/token', 'post', 503).headers)).toEqual(['Retry-After']);
  });

  it('gives the key set as the service serves it', async () => {
    const r = await request(t.px.publicServer).get('/oauth2/jwks');
    expect(r.status).toBe(200);
    const set = schemaOf(answer('/oauth2/jwks', 'get', 200).content['application/json'].schema);
    const jwk = schemaOf(set.properties.keys.items);
    expect(r.body.keys.length).toBeGreaterThan(0);
    for (const key of r.body.keys) {
      expect(Object.keys(key).filter((k) => !(k in jwk.properties))).toEqual([]);
      expect(jwk.required.filter((k: string) => !(k in key))).toEqual([]);
    }
  });
});
