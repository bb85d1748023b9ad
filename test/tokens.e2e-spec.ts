import request from 'supertest';
import { CLIENT, KEYS, PASSWORD, Res, TestApp, expectEnvelope, totpAt } from './support/harness';

/** docs/api.md#tokens-for-the-banks-data-api (and 4, 9): what the bank's data API asks about auth_tokens, on the internal listener. */

const DEFAULT_TTL_S = 395 * 86_400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function tokenOf(app: TestApp, username: string): Promise<{ user_id: string; auth_token: string }> {
  const r = await app.login(username);
  expect(r.status).toBe(200);
  return r.body;
}

/** A POST on the internal listener, as a form (what an OAuth-style data API sends) or as JSON. */
async function post(
  app: TestApp,
  path: string,
  body: Record<string, string>,
  opts: { json?: boolean; key?: string | null } = {},
): Promise<Res> {
  const key = opts.key === undefined ? KEYS.rs : opts.key;
  let req = request(app.px.internalServer).post(path).set('Accept', 'application/json');
  if (key) req = req.set('Authorization', `Bearer ${key}`);
  req = opts.json
    ? req.set('Content-Type', 'application/json').send(JSON.stringify(body))
    : req.set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(body).toString());
  const r = await req;
  return { status: r.status, body: r.body, text: r.text, headers: r.headers };
}

const introspect = (app: TestApp, body: Record<string, string>, opts: { json?: boolean; key?: string | null } = {}) =>
  post(app, '/tokens/introspect', body, opts);
const revoke = (app: TestApp, body: Record<string, string>, opts: { json?: boolean; key?: string | null } = {}) =>
  post(app, '/tokens/revoke', body, opts);

async function activeOf(app: TestApp, token: string): Promise<boolean> {
  const r = await introspect(app, { token });
  expect(r.status).toBe(200);
  return r.body.active;
}

describe('tokens: docs/api.md#tokens-for-the-banks-data-api', () => {
  let t: TestApp;
  let brief: TestApp; // AUTH_TOKEN_TTL=2s
  beforeAll(async () => {
    [t, brief] = await Promise.all([TestApp.start(), TestApp.start({ AUTH_TOKEN_TTL: '2s' })]);
  });
  afterAll(async () => {
    await Promise.all([t?.stop(), brief?.stop()]);
  });

  describe('POST /tokens/introspect', () => {
    it.each([
      ['form', false],
      ['JSON', true],
    ])(
      'an active token (%s body): exactly active, sub, user_id, client_id, institution_id, token_type, iat, exp',
      async (_name, json) => {
        const { user_id, auth_token } = await tokenOf(t, 'user_good');
        const r = await introspect(t, { token: auth_token }, { json });
        expect(r.status).toBe(200);
        expect(r.body).toEqual({
          active: true,
          sub: user_id,
          user_id,
          client_id: CLIENT.id,
          institution_id: 'default',
          token_type: 'Bearer',
          iat: expect.any(Number),
          exp: expect.any(Number),
        });
        expect(Number.isInteger(r.body.iat)).toBe(true);
        expect(Number.isInteger(r.body.exp)).toBe(true);
        expect(Math.abs(r.body.exp - r.body.iat - DEFAULT_TTL_S)).toBeLessThanOrEqual(1);
        expect(Math.abs(r.body.iat - Date.now() / 1000)).toBeLessThan(600);
      },
    );

    it('a token issued by 2fa is active too, for its user and institution', async () => {
      const u = await t.createUser('tok', { totp: true, institution_id: 'bank-2' }, PASSWORD);
      const a = await t.login(u.username, PASSWORD, { institution_id: 'bank-2' });
      const r = await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret!) });
      expect(r.status).toBe(200);
      expect((await introspect(t, { token: r.body.auth_token })).body).toMatchObject({
        active: true,
        user_id: u.userId,
        institution_id: 'bank-2',
      });
    });

    it("with a user_id: active for the token's own user, {active:false} for any other", async () => {
      const { user_id, auth_token } = await tokenOf(t, 'user_good');
      const other = (await t.createUser('tok', {}, PASSWORD)).userId;
      expect((await introspect(t, { token: auth_token, user_id })).body).toMatchObject({ active: true, user_id });
      expect((await introspect(t, { token: auth_token, user_id: other })).body).toEqual({ active: false });
      expect((await introspect(t, { token: auth_token, user_id: other }, { json: true })).body).toEqual({
        active: false,
      });
      // asking with the wrong user_id changes nothing
      expect(await activeOf(t, auth_token)).toBe(true);
    });

    it.each([
      ['an unknown well-formed token', 'A'.repeat(43)],
      ['garbage', 'not a token at all'],
      ['a user_id', 'user_good'],
    ])('%s is {active:false}', async (_name, token) => {
      const r = await introspect(t, { token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ active: false });
    });

    it('a missing token is 400 INVALID_REQUEST', async () => {
      expectEnvelope(await introspect(t, {}), 400, 'INVALID_REQUEST');
    });

    it('a short AUTH_TOKEN_TTL (2s): the token is active, then expires', async () => {
      const { auth_token } = await tokenOf(brief, 'user_good');
      const r = await introspect(brief, { token: auth_token });
      expect(r.body.active).toBe(true);
      expect(r.body.exp - r.body.iat).toBe(2);
      await sleep(2500);
      expect((await introspect(brief, { token: auth_token })).body).toEqual({ active: false });
      // a new login gets a new token, which is active
      expect((await tokenOf(brief, 'user_good')).auth_token).not.toBe(auth_token);
    });
  });

  describe('POST /tokens/revoke', () => {
    it.each([
      ['form', false],
      ['JSON', true],
    ])("revokes one token (%s body): it is then {active:false}, the user's others stay active", async (_name, json) => {
      const u = await t.createUser('tok', {}, PASSWORD);
      const one = await tokenOf(t, u.username);
      const two = await tokenOf(t, u.username);
      const r = await revoke(t, { token: one.auth_token }, { json });
      expect(r.status).toBe(200);
      expect((await introspect(t, { token: one.auth_token })).body).toEqual({ active: false });
      expect(await activeOf(t, two.auth_token)).toBe(true);
      // revoking again is still 200 (RFC 7009)
      expect((await revoke(t, { token: one.auth_token }, { json })).status).toBe(200);
      expect(await activeOf(t, one.auth_token)).toBe(false);
    });

    it('answers 200 for an unknown token too, the same as for a real one (RFC 7009)', async () => {
      const { auth_token } = await tokenOf(t, 'user_good');
      const real = await revoke(t, { token: auth_token });
      const unknown = await revoke(t, { token: 'B'.repeat(43) });
      expect(real.status).toBe(200);
      expect(unknown.status).toBe(200);
      expect(unknown.text).toBe(real.text);
    });

    it('a missing token is 400 INVALID_REQUEST', async () => {
      expectEnvelope(await revoke(t, {}), 400, 'INVALID_REQUEST');
    });
  });

  describe("revoking a user's tokens (docs/api.md, Staff API)", () => {
    it('a password change through the admin API revokes every token of the user, and only theirs', async () => {
      const u = await t.createUser('tok', {}, PASSWORD);
      const bystander = await tokenOf(t, 'user_good');
      const tokens = [await tokenOf(t, u.username), await tokenOf(t, u.username)];
      for (const tk of tokens) expect(await activeOf(t, tk.auth_token)).toBe(true);
      const r = await t.admin('POST', `/admin/users/${u.userId}/password`, { password: 'a-new-password' });
      expect(r.status).toBe(200);
      for (const tk of tokens) expect((await introspect(t, { token: tk.auth_token })).body).toEqual({ active: false });
      expect(await activeOf(t, bystander.auth_token)).toBe(true);
      // the next login, with the new password, gets an active token for the same user_id
      const again = await t.login(u.username, 'a-new-password');
      expect(again.body.user_id).toBe(u.userId);
      expect(await activeOf(t, again.body.auth_token)).toBe(true);
    });

    it.each([
      ['admin', KEYS.admin],
      ['support', KEYS.support],
    ])('POST /admin/users/:id/tokens/revoke (%s key) revokes them all; a later login works', async (_name, key) => {
      const u = await t.createUser('tok', {}, PASSWORD);
      const tokens = [await tokenOf(t, u.username), await tokenOf(t, u.username)];
      const r = await t.admin('POST', `/admin/users/${u.userId}/tokens/revoke`, undefined, key);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ tokens_revoked: 2 });
      for (const tk of tokens) expect(await activeOf(t, tk.auth_token)).toBe(false);
      expect((await t.admin('POST', `/admin/users/${u.userId}/tokens/revoke`, undefined, key)).body).toEqual({
        tokens_revoked: 0,
      });
      const later = await tokenOf(t, u.username);
      expect(await activeOf(t, later.auth_token)).toBe(true);
      const ev = await t.events(u.userId);
      expect(ev.some((e) => e.type === 'token_revoke' && e.detail?.count === 2)).toBe(true);
    });

    it('POST /admin/users/:id/tokens/revoke of an unknown user is 404; the resource-server key may not call it', async () => {
      expectEnvelope(await t.admin('POST', '/admin/users/no-such-user/tokens/revoke'), 404, 'NOT_FOUND');
      const u = await t.createUser('tok', {}, PASSWORD);
      const tk = await tokenOf(t, u.username);
      expectEnvelope(
        await t.admin('POST', `/admin/users/${u.userId}/tokens/revoke`, undefined, KEYS.rs),
        403,
        'FORBIDDEN',
      );
      expect(await activeOf(t, tk.auth_token)).toBe(true);
    });
  });

  describe('who may ask', () => {
    it('the support key cannot introspect: 403 FORBIDDEN', async () => {
      const { auth_token } = await tokenOf(t, 'user_good');
      expectEnvelope(await introspect(t, { token: auth_token }, { key: KEYS.support }), 403, 'FORBIDDEN');
    });

    it('no key or a wrong key: 401 UNAUTHORIZED, and a revoke without one revokes nothing', async () => {
      const { auth_token } = await tokenOf(t, 'user_good');
      expectEnvelope(await introspect(t, { token: auth_token }, { key: null }), 401, 'UNAUTHORIZED');
      expectEnvelope(
        await introspect(t, { token: auth_token }, { key: 'sandbox-rs-key-but-wrong' }),
        401,
        'UNAUTHORIZED',
      );
      expectEnvelope(await revoke(t, { token: auth_token }, { key: null }), 401, 'UNAUTHORIZED');
      expectEnvelope(await revoke(t, { token: auth_token }, { key: 'nope' }), 401, 'UNAUTHORIZED');
      expect(await activeOf(t, auth_token)).toBe(true);
    });

    it('an auth_token is not a staff key', async () => {
      const { auth_token } = await tokenOf(t, 'user_good');
      expectEnvelope(await introspect(t, { token: auth_token }, { key: auth_token }), 401, 'UNAUTHORIZED');
    });
  });
});
