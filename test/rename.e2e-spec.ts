import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import { KEYS, PASSWORD, TEST_ENGINE, TestApp, TestUser, expectEnvelope, totpAt } from './support/harness';
import { ConsoleClient, textOf } from './support/console-client';

/**
 * docs/api.md, "Staff API": PATCH /admin/users/:user_id with `username` renames a local user and keeps
 * who they are: the user_id, the person's lock and counts, factors, terms, open challenges and tokens.
 */

const WRONG = 'wrong-password';
let seq = 0;
const fresh = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
const introspect = (t: TestApp, token: string) => t.admin('POST', '/tokens/introspect', { token }, KEYS.rs);

describe(`renaming a user (${TEST_ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const rename = (userId: string, username: string, key: string = KEYS.admin) =>
    t.admin('PATCH', `/admin/users/${userId}`, { username }, key);
  const view = async (u: TestUser) => (await t.admin('GET', `/admin/users/${u.userId}`)).body;

  it('keeps the user_id, factors and terms: the new name logs in with the old password and TOTP', async () => {
    const u = await t.createUser('ren', { totp: true, phone: '+14155550191', terms_accepted_version: 1 }, PASSWORD);
    const before = await view(u);
    const to = fresh('Renamed');
    const r = await rename(u.userId, `  ${to}  `);
    expect(r.status).toBe(200);
    // Stored as at creation: NFKC and trimmed, the case kept for display.
    expect(r.body).toEqual({ ...before, username: to, updated_at: expect.any(String) });
    expect((await view(u)).username).toBe(to);
    expect((await t.admin('GET', `/admin/users?username=${to.toUpperCase()}`)).body.users).toEqual([
      expect.objectContaining({ user_id: u.userId }),
    ]);
    expect((await t.admin('GET', `/admin/users?username=${u.username}`)).body.users).toEqual([]);

    const a = await t.login(to.toLowerCase(), PASSWORD);
    expect(a.status).toBe(202);
    expect(a.body.user_id).toBe(u.userId);
    const done = await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: totpAt(u.secret!) });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe(u.userId);
    const event = (await t.events(u.userId)).find((e) => e.type === 'user_rename')!;
    expect(event.outcome).toBe('changed');
    // The trail keeps user ids, never the names typed (docs/api.md, "The event trail").
    expect(JSON.stringify(event)).not.toMatch(new RegExp(`${u.username}|${to}`, 'i'));
  });

  it('the old name then answers as an unknown name does (401); a challenge and a token from before stay', async () => {
    const u = await t.createUser('ren_tok', { email: 'ren.tok@example.com' }, PASSWORD);
    const plain = await t.createUser('ren_plain', {}, PASSWORD);
    const token = (await t.login(plain.username)).body.auth_token as string;
    const open = await t.login(u.username);
    expect(open.status).toBe(202);
    expect((await rename(u.userId, fresh('tok'))).status).toBe(200);
    expect((await rename(plain.userId, fresh('plain'))).status).toBe(200);

    expect((await introspect(t, token)).body).toMatchObject({ active: true });
    const email = open.body.challenge.send_methods.find((m: { type: string }) => m.type === 'email');
    expect((await t.sendOtp(u.userId, open.body.challenge.id, email.id)).status).toBe(200);
    const code = (await t.outboxCode('ren.tok@example.com'))!;
    expect((await t.twoFactor(u.userId, { challenge_id: open.body.challenge.id, passcode: code })).status).toBe(200);

    const old = await t.login(u.username, PASSWORD);
    const ghost = await t.login(fresh('ghost'), PASSWORD);
    expectEnvelope(old, 401, 'INVALID_CREDENTIALS');
    expectEnvelope(ghost, 401, 'INVALID_CREDENTIALS');
    expect(Object.keys(old.body).sort()).toEqual(Object.keys(ghost.body).sort());
  });

  it('a user locked by wrong passwords stays locked under the new name; the old name keeps its own count', async () => {
    const u = await t.createUser('ren_lock', {}, PASSWORD);
    for (let i = 0; i < 5; i++) expectEnvelope(await t.login(u.username, WRONG), 401, 'INVALID_CREDENTIALS');
    expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');
    const lock = (await view(u)).lock;
    expect(lock).toMatchObject({ locked: true, reason: 'too many failed attempts' });

    const to = fresh('lock');
    const r = await rename(u.userId, to);
    expect(r.status).toBe(200);
    expect(r.body.lock).toMatchObject({ locked: true, until: lock.until, reason: lock.reason });
    // The person's lock is on the user row: the new name is locked with the right password too.
    expectEnvelope(await t.login(to), 403, 'ACCOUNT_LOCKED');
    // The old name's count is about what was typed: it stays locked, as an unknown locked name is.
    expectEnvelope(await t.login(u.username), 403, 'ACCOUNT_LOCKED');

    expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
    expect((await t.login(to)).status).toBe(200);
  });

  it('a name taken in the institution (after normalisation) is 409 CONFLICT and changes nothing', async () => {
    const a = await t.createUser('ren_a', {}, PASSWORD);
    const b = await t.createUser('ren_b', {}, PASSWORD);
    const r = await rename(b.userId, ` ${a.username.toUpperCase()} `);
    expectEnvelope(r, 409, 'CONFLICT');
    expect((await view(b)).username).toBe(b.username);
    expect((await t.login(b.username)).body.user_id).toBe(b.userId);
    expect((await t.login(a.username)).body.user_id).toBe(a.userId);
    // Its own name again is no conflict: nothing changes.
    expect((await rename(b.userId, b.username)).status).toBe(200);
  });

  it('the same name in another institution is free: the rename stays in the user’s institution', async () => {
    const other = fresh('inst');
    const elsewhere = await t.admin('POST', '/admin/users', {
      username: other,
      password: PASSWORD,
      institution_id: 'bank2',
    });
    expect(elsewhere.status).toBe(201);
    const u = await t.createUser('ren_inst', {}, PASSWORD);
    const r = await rename(u.userId, other);
    expect(r.status).toBe(200);
    expect(r.body.institution_id).toBe('default');
    expect((await t.login(other)).body.user_id).toBe(u.userId);
  });

  it('a name refused at creation is refused here: 400 INVALID_REQUEST naming username', async () => {
    const u = await t.createUser('ren_bad', {}, PASSWORD);
    for (const bad of ['', '   ', 'two words', 'a\u0000b', 'x'.repeat(257), 'ab\u200bcd', 'a\ud800']) {
      const r = await rename(u.userId, bad);
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect(r.body.error.message).toMatch(/^username/);
    }
    expectEnvelope(await t.admin('PATCH', `/admin/users/${u.userId}`, { username: 42 }), 400, 'INVALID_REQUEST');
    // Sent alone: never a rename half-done beside a factor change.
    const both = await t.admin('PATCH', `/admin/users/${u.userId}`, { username: fresh('both'), email: null });
    expectEnvelope(both, 400, 'INVALID_REQUEST');
    expect(both.body.error.message).toMatch(/^username: a rename is sent alone, without email/);
    expect((await view(u)).username).toBe(u.username);
  });

  it('support staff may not rename (403); an unknown user is 404', async () => {
    const u = await t.createUser('ren_sup', {}, PASSWORD);
    expectEnvelope(await rename(u.userId, fresh('sup'), KEYS.support), 403, 'FORBIDDEN');
    expectEnvelope(await rename(u.userId, fresh('rs'), KEYS.rs), 403, 'FORBIDDEN');
    expect((await view(u)).username).toBe(u.username);
    expectEnvelope(await rename('no-such-user', fresh('nobody')), 404, 'NOT_FOUND');
  });

  it('a shadow user of another source is refused with 409: the bank’s system owns the name', async () => {
    const u = await t.createUser('ren_shadow', {}, PASSWORD);
    // What a login through the http source leaves behind (docs/credential-sources.md).
    await runSql(t.px.app.get(DataSource), "UPDATE users SET source = 'http', reference = ? WHERE id = ?", [
      `ref-${u.userId}`,
      u.userId,
    ]);
    const r = await rename(u.userId, fresh('shadow'));
    expectEnvelope(r, 409, 'CONFLICT');
    expect(r.body.error.message).toMatch(/http source/);
    expect((await view(u)).username).toBe(u.username);
  });

  it('two renames to one name at once: one 200, one 409, and each user holds one name', async () => {
    for (let round = 0; round < 4; round++) {
      const a = await t.createUser('race_a', {}, PASSWORD);
      const b = await t.createUser('race_b', {}, PASSWORD);
      const to = fresh('race');
      const [ra, rb] = await Promise.all([rename(a.userId, to), rename(b.userId, to)]);
      expect([ra.status, rb.status].sort()).toEqual([200, 409]);
      const [winner, loser] = ra.status === 200 ? [a, b] : [b, a];
      expectEnvelope(ra.status === 409 ? ra : rb, 409, 'CONFLICT');
      expect((await view(winner)).username).toBe(to);
      expect((await view(loser)).username).toBe(loser.username);
      expect((await t.login(to)).body.user_id).toBe(winner.userId);
      expect((await t.login(loser.username)).body.user_id).toBe(loser.userId);
    }
  });

  describe('the console', () => {
    it('admin renames a local customer with a reason; support sees no control and is refused', async () => {
      const u = await t.createUser('con_ren', {}, PASSWORD);
      const sup = await ConsoleClient.signedIn(t, KEYS.support);
      expect((await sup.get(`/console/users/${u.userId}`)).text).not.toContain('/rename"');
      const refused = await sup.post(`/console/users/${u.userId}/rename`, { username: fresh('sup'), reason: 'forced' });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('data-error-id="FORBIDDEN"');

      const c = await ConsoleClient.signedIn(t, KEYS.admin);
      const page = await c.get(`/console/users/${u.userId}`);
      expect(page.text).toContain(`action="/console/users/${u.userId}/rename"`);
      const to = fresh('ConsoleName');
      expect((await c.post(`/console/users/${u.userId}/rename`, { username: to, reason: 'ab' })).status).toBe(400);
      const noCsrf = await c.post(
        `/console/users/${u.userId}/rename`,
        { username: to, reason: 'Married' },
        { csrf: null },
      );
      expect(noCsrf.status).toBe(403);
      expect((await view(u)).username).toBe(u.username);

      const r = await c.post(`/console/users/${u.userId}/rename`, { username: to, reason: 'Customer married' });
      expect({ status: r.status, location: r.headers.location }).toEqual({
        status: 303,
        location: `/console/users/${u.userId}?done=rename`,
      });
      const after = textOf((await c.get(r.headers.location)).text);
      expect(after).toContain('Username changed.');
      expect(after).toContain(to);
      expect(after).toContain('Username changed by staff');
      const event = (await t.events(u.userId)).find((e) => e.type === 'user_rename')!;
      expect(event.detail).toEqual({ reason: 'Customer married' });
      expect((await t.login(to)).body.user_id).toBe(u.userId);

      const other = await t.createUser('con_other', {}, PASSWORD);
      const taken = await c.post(`/console/users/${u.userId}/rename`, { username: other.username, reason: 'Typo' });
      expect(taken.status).toBe(409);
      expect(taken.text).toContain('data-error-id="CONFLICT"');
      expect((await view(u)).username).toBe(to);
    });
  });
});
