import request from 'supertest';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import { KEYS, TestApp } from './support/harness';

/** docs/console.md, "Finding a customer" and "Recent locks": the admin API behind the console's search. */

const run = Math.random().toString(36).slice(2, 7);
let seq = 0;
const phoneNo = () => `+1415${String(3_000_000 + (Number.parseInt(run, 36) % 900_000) + ++seq * 7).slice(-7)}`;

describe('GET /admin/users?q= and GET /admin/locks', () => {
  let t: TestApp;
  const make = async (username: string, fields: Record<string, unknown> = {}) => {
    const r = await t.admin('POST', '/admin/users', { username, password: 'correct horse battery', ...fields });
    expect(r.status).toBe(201);
    return { id: r.body.user_id as string, requestId: r.headers['x-request-id'] };
  };
  const search = async (q: string, extra = '') => {
    const r = await t.admin('GET', `/admin/users?q=${encodeURIComponent(q)}${extra}`, undefined, KEYS.support);
    expect(r.status).toBe(200);
    return r.body as { interpretation: string; users: { user_id: string; username: string }[]; next_cursor: string };
  };

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a username prefix, as usernames are compared (case ignored), in username order', async () => {
    const b = await make(`Pre${run}_b`);
    const a = await make(`pre${run}_a`);
    await make(`other${run}`);
    const r = await search(`PRE${run}`);
    expect(r.interpretation).toBe('username');
    expect(r.users.map((u) => u.user_id)).toEqual([a.id, b.id]);
    expect(r.users.map((u) => u.username)).toEqual([`pre${run}_a`, `Pre${run}_b`]);
    expect(r.next_cursor).toBeNull();
  });

  it('% and _ in a prefix are the characters themselves, not wildcards', async () => {
    const literal = await make(`esc${run}_%x`);
    await make(`esc${run}ab`);
    await make(`esc${run}_yz`);
    expect((await search(`esc${run}_%`)).users.map((u) => u.user_id)).toEqual([literal.id]);
    expect((await search(`esc${run}%`)).users).toEqual([]);
    expect((await search(`esc${run}_`)).users.length).toBe(2);
  });

  it('the exact user_id, first', async () => {
    const u = await make(`byid${run}`);
    const r = await search(u.id);
    expect(r.users.map((x) => x.user_id)).toEqual([u.id]);
  });

  it('a phone number in any format libphonenumber reads, matched against the stored E.164', async () => {
    const phone = phoneNo();
    const u = await make(`ph${run}`, { phone });
    const national = phone.slice(2);
    for (const q of [
      phone,
      `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`,
      `${national.slice(0, 3)}.${national.slice(3, 6)}.${national.slice(6)}`,
    ]) {
      const r = await search(q);
      expect(r.interpretation).toBe('phone');
      expect(r.users.map((x) => x.user_id)).toEqual([u.id]);
    }
  });

  it('an email, whatever its case', async () => {
    const u = await make(`em${run}`, { email: `Ana.${run}@Example.com` });
    const r = await search(`ana.${run}@EXAMPLE.COM`);
    expect(r.interpretation).toBe('email');
    expect(r.users.map((x) => x.user_id)).toEqual([u.id]);
  });

  it("a request id: that request's audit events, and the customer they name", async () => {
    const u = await make(`rq${run}`);
    const r = await search(u.requestId);
    expect(r.interpretation).toBe('request_id');
    expect(r.users.map((x) => x.user_id)).toEqual([u.id]);
    const events = (r as unknown as { events: { type: string; user_id: string; request_id: string }[] }).events;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.request_id === u.requestId)).toBe(true);
    expect(events.filter((e) => e.user_id === u.id).map((e) => e.type)).toContain('user_create');
  });

  it('a request id that is not a UUID (a caller sent its own X-Request-Id) is searched as a username', async () => {
    const rid = `req_${run}_own`;
    // The request that creates the user carries that id, and pxauth kept it on its audit events.
    const created = await request(t.px.internalServer)
      .post('/admin/users')
      .set('Authorization', `Bearer ${KEYS.admin}`)
      .set('X-Request-Id', rid)
      .send({ username: rid, password: 'correct horse battery' });
    expect(created.status).toBe(201);
    expect(created.headers['x-request-id']).toBe(rid);
    const r = await search(rid);
    expect(r.interpretation).toBe('username');
    expect(r.users.map((x) => x.user_id)).toEqual([created.body.user_id]);
    expect(r).not.toHaveProperty('events');
  });

  it('pages of 25 by cursor: the next page starts after the last one shown, and the last page says so', async () => {
    const made: string[] = [];
    for (let i = 0; i < 27; i++) made.push((await make(`pg${run}_${String(i).padStart(2, '0')}`)).id);
    const first = await search(`pg${run}_`);
    expect(first.users.map((u) => u.user_id)).toEqual(made.slice(0, 25));
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await search(`pg${run}_`, `&cursor=${first.next_cursor}`);
    expect(second.users.map((u) => u.user_id)).toEqual(made.slice(25));
    expect(second.next_cursor).toBeNull();
    const bad = await t.admin('GET', `/admin/users?q=x&cursor=bm90LWEtY3Vyc29y`);
    expect(bad.status).toBe(400);
  });

  it('the prefix search is served by an index', async () => {
    const ds = t.px.app.get(DataSource);
    const pg = ds.options.type === 'postgres';
    const sql = pg
      ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'users'"
      : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'";
    const names = (await runSql<{ name: string }>(ds, sql)).rows.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['idx_users_username_prefix', 'idx_users_email_lower', 'idx_users_phone']),
    );
    if (!pg) {
      const plan = await runSql<{ detail: string }>(
        ds,
        "EXPLAIN QUERY PLAN SELECT id FROM users WHERE username_norm LIKE ? ESCAPE '\\' AND substr(username_norm, 1, 3) = ?",
        ['abc%', 'abc'],
      );
      expect(plan.rows.map((r) => r.detail).join(' ')).toContain('idx_users_username_prefix');
    }
  });

  it('locks: who is locked now, the newest lock first, with reason and until; an unlocked one leaves the list', async () => {
    const older = await make(`lk${run}_old`);
    const newer = await make(`lk${run}_new`);
    const gone = await make(`lk${run}_gone`);
    for (const [u, reason] of [
      [older, 'card stolen'],
      [gone, 'mistake'],
      [newer, 'caller unsure'],
    ] as const) {
      expect((await t.admin('POST', `/admin/users/${u.id}/lock`, { reason })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5)); // distinct locked_at
    }
    await t.admin('POST', `/admin/users/${gone.id}/unlock`);
    const r = await t.admin('GET', '/admin/locks', undefined, KEYS.support);
    expect(r.status).toBe(200);
    const mine = (
      r.body.locks as { user_id: string; reason: string; until: string | null; locked_at: string }[]
    ).filter((l) => [older.id, newer.id, gone.id].includes(l.user_id));
    expect(mine.map((l) => [l.user_id, l.reason, l.until])).toEqual([
      [newer.id, 'caller unsure', null],
      [older.id, 'card stolen', null],
    ]);
    expect(Date.parse(mine[0].locked_at)).toBeGreaterThan(Date.parse(mine[1].locked_at));
  });
});
