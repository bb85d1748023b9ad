import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@/database/data-source-options';
import { migrate } from '@/database/migrate';
import { MIGRATIONS } from '@/database/migrations';
import { TokenGrantEpoch1764700000000 } from '@/database/migrations/1764700000000-token-grant-epoch';
import { runSql } from '@/database/sql';
import { UsersService } from '@/users/users.service';
import { createTestDatabase } from './support/databases';
import { CLIENT, KEYS, TestApp, TestUser, totpAt } from './support/harness';
import { Browser, exchangeCode, introspect, redirected, refreshRequest, signInCode } from './support/oauth';
import { storedRows } from './support/stored';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

// The refresh grant against the user's lock and auth epoch, and RFC 7009 section 2.1's revocation of
// a refresh token with the access tokens of its grant (docs/oauth.md).
describe('OAuth refresh and revocation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A user of this test alone, signed in through the pages, with the tokens of one grant. */
  async function signedIn(prefix: string, fields: Record<string, unknown> = {}): Promise<[TestUser, Tokens]> {
    const u = await t.createUser(prefix, fields);
    return [u, await grantFor(u)];
  }
  async function grantFor(u: TestUser): Promise<Tokens> {
    const r = await exchangeCode(t, await signInCode(t, u.username, u.password));
    expect(r.status).toBe(200);
    return r.body as Tokens;
  }
  const refresh = (rt: string) => refreshRequest(t, rt, { json: true });
  const refused = async (rt: string) => {
    const r = await refresh(rt);
    expect([r.status, r.body]).toEqual([400, { error: 'invalid_grant' }]);
  };
  /** As stored: whether the token's row has been revoked. */
  const revokedInDb = async (token: string) => {
    const hash = createHash('sha256').update(token).digest('hex');
    const rows = await storedRows<{ revoked_at: unknown }>(
      t,
      'SELECT revoked_at FROM auth_token WHERE token_hash = ?',
      [hash],
    );
    expect(rows).toHaveLength(1);
    return rows[0].revoked_at !== null;
  };
  const admin = async (method: 'POST' | 'PATCH', path: string, body?: unknown) => {
    const r = await t.admin(method, path, body);
    expect(r.status).toBe(200);
    return r;
  };

  it('a staff lock refuses the refresh and ends the grant; after unlock only a fresh sign-in refreshes', async () => {
    const [u, tokens] = await signedIn('refresh_staff_lock');
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
    await admin('POST', `/admin/users/${u.userId}/lock`, { reason: 'suspected fraud' });
    await refused(tokens.refresh_token);
    expect(await revokedInDb(tokens.refresh_token)).toBe(true);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });

    await admin('POST', `/admin/users/${u.userId}/unlock`);
    await refused(tokens.refresh_token);
    const fresh = await grantFor(u);
    const r = await refresh(fresh.refresh_token);
    expect(r.status).toBe(200);
    expect(await introspect(t, r.body.access_token)).toMatchObject({ active: true, user_id: u.userId });
    // The audit trail says why: the refresh token and the two access tokens it had given.
    const revokes = (await t.events(u.userId)).filter((e) => e.type === 'token_revoke');
    expect(revokes.map((e) => e.detail)).toEqual([{ count: 3, reason: 'auth_epoch_moved' }]);
  });

  it('a lock by too many wrong passwords refuses the refresh; after unlock a fresh sign-in refreshes', async () => {
    const [u, tokens] = await signedIn('refresh_failure_lock');
    for (let i = 0; i < 5; i++) expect((await t.login(u.username, 'not-the-password')).status).toBe(401);
    expect((await t.login(u.username, u.password)).status).toBe(403);
    await refused(tokens.refresh_token);
    expect(await revokedInDb(tokens.refresh_token)).toBe(true);

    await admin('POST', `/admin/users/${u.userId}/unlock`);
    await refused(tokens.refresh_token);
    expect((await refresh((await grantFor(u)).refresh_token)).status).toBe(200);
  });

  it('a lock is asked about on every refresh, even one that left the auth epoch where it was', async () => {
    // The person's lock written straight into the user row, without the epoch move every real lock adds:
    // the refresh must see the lock itself, not only what it did to the epoch.
    const [u, tokens] = await signedIn('refresh_lock_only');
    const ds = t.px.app.get(DataSource);
    await runSql(ds, 'UPDATE users SET locked_until = ?, lock_reason = ? WHERE id = ?', [
      Date.now() + 3_600_000,
      'held elsewhere',
      u.userId,
    ]);
    await refused(tokens.refresh_token);
    // Refused, not revoked: the grant's sign-in still stands, and the lock may end.
    expect(await revokedInDb(tokens.refresh_token)).toBe(false);
    await admin('POST', `/admin/users/${u.userId}/unlock`);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('a password change through the admin API refuses the refresh', async () => {
    const [u, tokens] = await signedIn('refresh_pw_admin');
    await admin('POST', `/admin/users/${u.userId}/password`, { password: 'another-Secret-1!' });
    await refused(tokens.refresh_token);
    expect(await revokedInDb(tokens.refresh_token)).toBe(true);
  });

  it('a password change through UsersService alone (the epoch moves, no token is revoked) refuses the refresh and revokes the grant', async () => {
    const [u, tokens] = await signedIn('refresh_pw_service');
    const users = t.px.app.get(UsersService);
    await users.setPassword((await users.findById(u.userId))!, 'another-Secret-2!');
    expect(await revokedInDb(tokens.refresh_token)).toBe(false);
    await refused(tokens.refresh_token);
    expect(await revokedInDb(tokens.refresh_token)).toBe(true);
    expect(await revokedInDb(tokens.access_token)).toBe(true);
    await refused(tokens.refresh_token);
  });

  it('a factor reset by support refuses the refresh; a grant made after it refreshes', async () => {
    const u = await t.createUser('refresh_factor', { totp: true });
    const b = new Browser(t);
    await b.authorize();
    expect((await b.signIn(u.username, u.password)).text).toContain('authenticator app');
    const code = redirected(await b.post('/oauth2/verify', { passcode: totpAt(u.secret!) })).searchParams.get('code')!;
    const tokens = (await exchangeCode(t, code)).body as Tokens;
    expect((await refresh(tokens.refresh_token)).status).toBe(200);

    const reset = await t.admin('PATCH', `/admin/users/${u.userId}`, { totp: false }, KEYS.support);
    expect(reset.status).toBe(200);
    await refused(tokens.refresh_token);
    expect(await introspect(t, tokens.refresh_token)).toEqual({ active: false });
    expect((await refresh((await grantFor(u)).refresh_token)).status).toBe(200);
  });

  it('revoking a refresh token revokes the access tokens of its grant and nothing else', async () => {
    const [u, tokens] = await signedIn('revoke_grant');
    const refreshed = (await refresh(tokens.refresh_token)).body.access_token as string;
    const sibling = await grantFor(u);
    const legacy = (await t.login(u.username, u.password)).body.auth_token as string;

    const r = await t.admin('POST', '/tokens/revoke', { token: tokens.refresh_token }, KEYS.rs);
    expect([r.status, r.body]).toEqual([200, {}]);
    for (const token of [tokens.refresh_token, tokens.access_token, refreshed]) {
      expect(await introspect(t, token)).toEqual({ active: false });
      expect(await revokedInDb(token)).toBe(true);
    }
    await refused(tokens.refresh_token);
    expect(await introspect(t, sibling.access_token)).toMatchObject({ active: true, token_type: 'Bearer' });
    expect(await introspect(t, sibling.refresh_token)).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect(await introspect(t, legacy)).toMatchObject({ active: true, user_id: u.userId });
    expect((await refresh(sibling.refresh_token)).status).toBe(200);
    // Again: the same answer (RFC 7009 section 2.2), nothing more revoked.
    expect((await t.admin('POST', '/tokens/revoke', { token: tokens.refresh_token }, KEYS.rs)).status).toBe(200);
    expect((await introspect(t, sibling.access_token)).active).toBe(true);
  });

  it('revoking an access token leaves its refresh token and the other access tokens of the grant', async () => {
    const [, tokens] = await signedIn('revoke_access');
    const refreshed = (await refresh(tokens.refresh_token)).body.access_token as string;
    expect((await t.admin('POST', '/tokens/revoke', { token: tokens.access_token }, KEYS.rs)).status).toBe(200);
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    expect((await introspect(t, refreshed)).active).toBe(true);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('refreshes racing the revocation of their refresh token: every access token of the grant ends revoked', async () => {
    for (let round = 0; round < 3; round++) {
      const [, tokens] = await signedIn(`revoke_race_${round}`);
      const answers = await Promise.all([
        refresh(tokens.refresh_token),
        refresh(tokens.refresh_token),
        t.admin('POST', '/tokens/revoke', { token: tokens.refresh_token }, KEYS.rs),
        refresh(tokens.refresh_token),
        refresh(tokens.refresh_token),
      ]);
      expect(answers[2].status).toBe(200);
      const refreshes = answers.filter((_, i) => i !== 2);
      for (const a of refreshes) {
        expect([200, 400]).toContain(a.status);
        if (a.status === 400) expect(a.body).toEqual({ error: 'invalid_grant' });
        else expect(await introspect(t, a.body.access_token)).toEqual({ active: false });
      }
      expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    }
  });

  it('a refresh token presented by another client is invalid_grant and revokes nothing', async () => {
    const [, tokens] = await signedIn('refresh_other_client');
    const other = await t.admin('POST', '/admin/clients', { name: 'refresh-other' });
    const client = { id: other.body.client_id as string, secret: other.body.client_secret as string };
    const r = await refreshRequest(t, tokens.refresh_token, { client });
    expect([r.status, r.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect(await revokedInDb(tokens.refresh_token)).toBe(false);
    expect((await refreshRequest(t, tokens.refresh_token, { client: CLIENT })).status).toBe(200);
  });
});

describe('migration TokenGrantEpoch: OAuth tokens issued before it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-grant-epoch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("take the user's auth epoch as it is at the upgrade; legacy auth_tokens keep none", async () => {
    const db = await createTestDatabase(dir);
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(TokenGrantEpoch1764700000000));
    const old = await new DataSource({ ...dataSourceOptions(db.url), migrations: before }).initialize();
    try {
      await migrate(old);
      const now = Date.now();
      await runSql(
        old,
        `INSERT INTO users (id, institution_id, username, username_norm, password_hash, terms_accepted_version,
           created_at, updated_at, auth_epoch) VALUES ('u1', 'default', 'ann', 'ann', 'x', 1, ?, ?, 3)`,
        [now, now],
      );
      for (const [id, kind, grant] of [
        ['t1', 'refresh_token', 'g1'],
        ['t2', 'access_token', 'g1'],
        ['t3', 'auth_token', null],
      ])
        await runSql(
          old,
          `INSERT INTO auth_token (id, token_hash, user_id, client_id, institution_id, issued_at, expires_at, kind, grant_id)
           VALUES (?, ?, 'u1', 'c', 'default', ?, ?, ?, ?)`,
          [id, `hash-${id}`, now, now + 60_000, kind, grant],
        );
    } finally {
      await old.destroy();
    }
    const upgraded = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      const after = MIGRATIONS.slice(MIGRATIONS.indexOf(TokenGrantEpoch1764700000000));
      expect((await migrate(upgraded)).map((m) => m.name)).toEqual(after.map((m) => m.name));
      const rows = await runSql<{ id: string; user_epoch: number | string | null }>(
        upgraded,
        'SELECT id, user_epoch FROM auth_token ORDER BY id',
      );
      expect(rows.rows.map((r) => [r.id, r.user_epoch === null ? null : Number(r.user_epoch)])).toEqual([
        ['t1', 3],
        ['t2', 3],
        ['t3', null],
      ]);
    } finally {
      await upgraded.destroy();
      await db.drop();
    }
  });
});
