import { BaseClient, Issuer, custom, errors } from 'openid-client';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import { STAFF_KEY_CACHE_MS, StaffService } from '@/staff-auth/staff.service';
import { KEYS, TEST_ENGINE, TestApp } from './support/harness';

/**
 * The token endpoints as a maintained OAuth client library drives them (openid-client,
 * RFC 7662 introspection and RFC 7009 revocation), the way a bank's API gateway would, not with
 * hand-written requests. The staff key goes in as the Bearer header the gateway would configure.
 */

function clientFor(app: TestApp, key: string | null): BaseClient {
  const base = app.px.internalUrl;
  const issuer = new Issuer({
    issuer: base,
    introspection_endpoint: `${base}/tokens/introspect`,
    revocation_endpoint: `${base}/tokens/revoke`,
  });
  // The library adds client_id to the form for "none"; pxauth ignores fields it does not know.
  const client = new issuer.Client({ client_id: 'bank-data-api', token_endpoint_auth_method: 'none' });
  if (key)
    client[custom.http_options] = (_url, options) => ({
      headers: { ...options.headers, Authorization: `Bearer ${key}` },
    });
  return client;
}

async function statusOfFailure(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(errors.OPError);
    return (err as errors.OPError).response?.statusCode;
  }
}

describe('token endpoints through openid-client (docs/api.md#tokens-for-the-banks-data-api)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t?.stop());

  const loginToken = async () => {
    const r = await t.login('user_good');
    expect(r.status).toBe(200);
    return r.body as { user_id: string; auth_token: string };
  };

  it('introspects a live token with the fields RFC 7662 gateways read: sub and token_type', async () => {
    const { user_id, auth_token } = await loginToken();
    const now = Math.floor(Date.now() / 1000);
    const answer = await clientFor(t, KEYS.rs).introspect(auth_token, 'access_token');
    expect(answer).toEqual({
      active: true,
      sub: user_id,
      user_id,
      client_id: 'sandbox-client',
      institution_id: 'default',
      token_type: 'Bearer',
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(Math.abs(answer.iat! - now)).toBeLessThanOrEqual(5);
    expect(answer.exp! - answer.iat!).toBe(395 * 86_400);
  });

  it('revokes through the library, and the same token is inactive at once', async () => {
    const { auth_token } = await loginToken();
    const client = clientFor(t, KEYS.rs);
    expect((await client.introspect(auth_token)).active).toBe(true);
    await expect(client.revoke(auth_token, 'access_token')).resolves.toBeUndefined();
    expect(await client.introspect(auth_token)).toEqual({ active: false });
    // RFC 7009 section 2.2: an unknown or already revoked token is the same 200.
    await expect(client.revoke(auth_token)).resolves.toBeUndefined();
    await expect(client.revoke('never-issued-token')).resolves.toBeUndefined();
    expect(await client.introspect('never-issued-token')).toEqual({ active: false });
  });

  it('refuses a gateway without a staff key (401) or with a role that may not introspect (403)', async () => {
    const { auth_token } = await loginToken();
    expect(await statusOfFailure(clientFor(t, null).introspect(auth_token))).toBe(401);
    expect(await statusOfFailure(clientFor(t, 'not-a-key').revoke(auth_token))).toBe(401);
    expect(await statusOfFailure(clientFor(t, KEYS.support).introspect(auth_token))).toBe(403);
    expect((await clientFor(t, KEYS.rs).introspect(auth_token)).active).toBe(true);
  });

  it('a staff key revoked in the database stops working within STAFF_KEY_CACHE_MS (the staleness docs/api.md states)', async () => {
    const { auth_token } = await loginToken();
    const staff = t.px.app.get(StaffService);
    const revokeInDb = (id: string) =>
      runSql(t.px.app.get(DataSource), 'UPDATE staff_key SET revoked_at = ? WHERE id = ?', [Date.now(), id]);
    const used = await staff.create('gateway, used then revoked', 'resource-server');
    const unused = await staff.create('gateway, revoked before use', 'resource-server');
    expect((await clientFor(t, used.key).introspect(auth_token)).active).toBe(true);
    await revokeInDb(used.id);
    await revokeInDb(unused.id);
    // Never looked up before its revocation: refused at once.
    expect(await statusOfFailure(clientFor(t, unused.key).introspect(auth_token))).toBe(401);
    await new Promise((r) => setTimeout(r, STAFF_KEY_CACHE_MS + 250));
    expect(await statusOfFailure(clientFor(t, used.key).introspect(auth_token))).toBe(401);
  });

  // Two app instances on one database: a PostgreSQL matter (SQLite serves one process).
  if (TEST_ENGINE === 'postgres')
    it('a token revoked on one replica is inactive at once on another (PostgreSQL)', async () => {
      const other = await TestApp.start({ DATABASE_URL: t.databaseUrl });
      try {
        const { auth_token } = await loginToken();
        const [a, b] = [clientFor(t, KEYS.rs), clientFor(other, KEYS.rs)];
        expect((await b.introspect(auth_token)).active).toBe(true);
        await a.revoke(auth_token);
        expect(await b.introspect(auth_token)).toEqual({ active: false });
      } finally {
        await other.stop(false);
      }
    });
});
