import { PurgeJob } from '@/retention/purge.job';
import { KEYS, Res, TEST_ENGINE, TestApp, TestUser, expectEnvelope } from './support/harness';
import { storedRows } from './support/stored';

/**
 * docs/api.md#staff-api: `GET /admin/events` and `GET /admin/users/:id/events`, newest first,
 * filtered by user_id, type, from, to and request_id, paged with an opaque cursor; AUDIT_RETENTION.
 */
const DAY = 86_400_000;

describe(`events: the audit trail for staff (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  /** Every page of a listing, following next_cursor to the end. */
  async function allPages(path: string, key = KEYS.support): Promise<{ pages: Res[]; ids: number[] }> {
    const pages: Res[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const r = await t.admin('GET', cursor ? `${path}${sep}cursor=${cursor}` : path, undefined, key);
      expect(r.status).toBe(200);
      pages.push(r);
      cursor = r.body.next_cursor as string | null;
      expect(pages.length).toBeLessThan(50);
    } while (cursor);
    return { pages, ids: pages.flatMap((p) => p.body.events.map((e: { id: number }) => e.id)) };
  }

  beforeAll(async () => {
    t = await TestApp.start({ AUDIT_RETENTION: '30d' });
    alice = await t.createUser('alice');
    bob = await t.createUser('bob');
    // Seven wrong passwords for alice (the fifth locks her), one good login for bob.
    for (let i = 0; i < 7; i++) await t.login(alice.username, 'wrong');
    expect((await t.login(bob.username, bob.password, {}, { 'X-Request-Id': 'bob-login-1' })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('support and admin may read both listings; resource-server may not, nor a request without a key', async () => {
    for (const path of ['/admin/events', `/admin/users/${alice.userId}/events`]) {
      for (const key of [KEYS.support, KEYS.admin]) {
        const r = await t.admin('GET', path, undefined, key);
        expect(r.status).toBe(200);
        expect(r.body.events.length).toBeGreaterThan(0);
      }
      expectEnvelope(await t.admin('GET', path, undefined, KEYS.rs), 403, 'FORBIDDEN');
      expectEnvelope(await t.admin('GET', path, undefined, null), 401, 'UNAUTHORIZED');
    }
    expectEnvelope(await t.admin('GET', '/admin/users/no-such-user/events'), 404, 'NOT_FOUND');
  });

  it('a user timeline is theirs alone, newest first, with why the lock happened', async () => {
    const { ids, pages } = await allPages(`/admin/users/${alice.userId}/events`);
    const events = pages.flatMap((p) => p.body.events as { user_id: string; type: string; outcome: string }[]);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(events.map((e) => e.user_id))).toEqual(new Set([alice.userId]));
    const lock = events.find((e) => e.type === 'lock');
    expect(lock).toMatchObject({ outcome: 'locked_temporarily', detail: { reason: 'too many failed attempts' } });
    // Oldest last: her creation, then the failures in order.
    expect(events[events.length - 1].type).toBe('user_create');
  });

  it('pages with an opaque cursor: every event once, none skipped, the last page says so', async () => {
    const whole = await t.admin('GET', `/admin/users/${alice.userId}/events?limit=500`);
    const expected = whole.body.events.map((e: { id: number }) => e.id);
    expect(whole.body.next_cursor).toBeNull();
    expect(expected.length).toBeGreaterThanOrEqual(9);

    const paged = await allPages(`/admin/users/${alice.userId}/events?limit=3`);
    // Each read is an admin call on her, so newer events come first; below them, exactly the same list.
    expect(paged.ids.filter((id) => id <= expected[0])).toEqual(expected);
    expect(paged.ids.length).toBeGreaterThan(expected.length);
    const sizes = paged.pages.map((p) => p.body.events.length as number);
    expect(sizes.slice(0, -1).every((n) => n === 3)).toBe(true);
    expect(sizes[sizes.length - 1]).toBeGreaterThanOrEqual(1);
    const cursor = paged.pages[0].body.next_cursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(String(expected[2]));

    // Events that happen while a client pages come on the first page of a new listing, not in the middle.
    await t.login(alice.username, 'wrong again');
    const next = await t.admin('GET', `/admin/users/${alice.userId}/events?limit=3&cursor=${cursor}`);
    expect(next.body.events.map((e: { id: number }) => e.id)).toEqual(paged.ids.slice(3, 6));
  });

  it('filters by user, type, request id and time, combined', async () => {
    const logins = await allPages(`/admin/events?type=login&user_id=${alice.userId}&limit=4`);
    const events = logins.pages.flatMap((p) => p.body.events as { type: string; user_id: string; outcome: string }[]);
    expect(events.length).toBe(8);
    expect(events.every((e) => e.type === 'login' && e.user_id === alice.userId)).toBe(true);

    const byRequest = (await t.admin('GET', '/admin/events?request_id=bob-login-1')).body.events as {
      type: string;
      outcome: string;
      user_id: string;
      request_id: string;
    }[];
    expect(byRequest.find((e) => e.type === 'login')).toMatchObject({ outcome: 'success', user_id: bob.userId });
    expect(new Set(byRequest.map((e) => e.request_id))).toEqual(new Set(['bob-login-1']));

    const all = (await t.admin('GET', '/admin/events?limit=500')).body.events as { id: number; at: string }[];
    const middle = all[Math.floor(all.length / 2)];
    // Each read is an admin call itself: only what was there at the first read is counted.
    const after = (
      (await t.admin('GET', `/admin/events?limit=500&from=${middle.at}`)).body.events as { id: number; at: string }[]
    ).filter((e) => e.id <= all[0].id);
    const before = (await t.admin('GET', `/admin/events?limit=500&to=${middle.at}`)).body.events as { at: string }[];
    expect(after.every((e) => e.at >= middle.at)).toBe(true);
    expect(before.every((e) => e.at < middle.at)).toBe(true);
    expect(after.length + before.length).toBe(all.length);
    expect((await t.admin('GET', '/admin/events?to=2000-01-01T00:00:00Z')).body).toEqual({
      events: [],
      next_cursor: null,
      prev_cursor: null,
    });
  });

  it('refuses a malformed filter or cursor with 400 naming it', async () => {
    const bad: [string, RegExp][] = [
      ['type=logins', /^type: must be one of login/],
      ['from=yesterday', /^from: /],
      ['to=2026-13-01T00:00:00Z', /^to: /],
      ['cursor=bm90LWEtY3Vyc29y', /^cursor: /],
      ['cursor=a%2Fb', /^cursor: /],
      ['limit=0', /^limit: /],
      ['limit=501', /^limit: /],
      ['user_id=a%27b', /^user_id: /],
    ];
    for (const [query, message] of bad) {
      const r = await t.admin('GET', `/admin/events?${query}`);
      expectEnvelope(r, 400, 'INVALID_REQUEST');
      expect([query, r.body.error.message]).toEqual([query, expect.stringMatching(message)]);
    }
  });

  it('the purge job drops events older than AUDIT_RETENTION and keeps the rest', async () => {
    const [oldest] = await storedRows<{ id: number }>(t, 'SELECT MIN(id) AS id FROM audit_event');
    await storedRows(t, 'UPDATE audit_event SET at = ? WHERE id = ?', [Date.now() - 31 * DAY, oldest.id]);
    await storedRows(t, 'UPDATE audit_event SET at = ? WHERE id = ?', [Date.now() - 29 * DAY, Number(oldest.id) + 1]);
    const before = Number((await storedRows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_event'))[0].n);

    const counts = await t.px.app.get(PurgeJob).runOnce();

    expect(counts.audit_events).toBe(1);
    const left = await storedRows<{ id: number }>(t, 'SELECT id FROM audit_event WHERE id IN (?, ?)', [
      oldest.id,
      Number(oldest.id) + 1,
    ]);
    expect(left.map((r) => Number(r.id))).toEqual([Number(oldest.id) + 1]);
    expect(Number((await storedRows<{ n: number }>(t, 'SELECT COUNT(*) AS n FROM audit_event'))[0].n)).toBe(before - 1);
  });
});
