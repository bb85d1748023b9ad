import { PARTNER_SECRET_CACHE_MS } from '@/partners/partners.service';
import { STAFF_KEY_CACHE_MS } from '@/staff-auth/staff.service';
import { CLIENT, KEYS, PASSWORD, TEST_ENGINE, TestApp, expectEnvelope, firstRefusal } from './support/harness';
import { cli, expectRefused, json, requireBuiltCli } from './support/cli';

/**
 * staff:revoke, clients:retire, users:lock and events:list, run as an operator runs them on the
 * database of a running service.
 */
describe(`cli operator commands (${TEST_ENGINE})`, () => {
  let t: TestApp;
  const run = (args: string[]) => cli(t.databaseUrl, args);

  beforeAll(async () => {
    requireBuiltCli();
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('staff:revoke: the key stops working for the running service within STAFF_KEY_CACHE_MS', async () => {
    const issued = json(await run(['staff:create', '--name', 'Sam, leaving', '--role', 'support', '--json']));
    expect((await t.admin('GET', '/admin/users?username=user_good', undefined, issued.key)).status).toBe(200);

    const revoked = json(await run(['staff:revoke', '--id', issued.id, '--json']));
    expect(revoked).toMatchObject({ id: issued.id, name: 'Sam, leaving', role: 'support' });
    // The CLI is another process: the service trusts the key it looked up for at most STAFF_KEY_CACHE_MS.
    const after = await firstRefusal(
      () => t.admin('GET', '/admin/users?username=user_good', undefined, issued.key),
      STAFF_KEY_CACHE_MS + 1_000,
    );
    expectEnvelope(after, 401, 'UNAUTHORIZED');
    // Other keys are untouched.
    expect((await t.admin('GET', '/admin/users?username=user_good', undefined, KEYS.support)).status).toBe(200);

    expectRefused(await run(['staff:revoke', '--id', issued.id]), 1, /^error: CONFLICT: .*already revoked/);
    expectRefused(await run(['staff:revoke', '--id', 'no-such-key']), 1, /^error: NOT_FOUND: No such staff key\./);
  });

  it('clients:retire retires the old secret after a rotation (within PARTNER_SECRET_CACHE_MS), never the last one', async () => {
    const created = json(await run(['clients:create', '--name', 'Plaid rotation', '--json']));
    const rotated = json(await run(['clients:rotate', '--client-id', created.client_id, '--json']));
    const login = (secret: string) =>
      t.plaid(
        '/users/auth_token',
        { username: 'user_good', password: PASSWORD },
        {
          client: { id: created.client_id as string, secret },
        },
      );

    // The old secret is in use when it is retired, so the service has it in its cache.
    expect((await login(created.client_secret as string)).status).toBe(200);
    const text = await run(['clients:retire', '--client-id', created.client_id, '--slot', '1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Retired secret 1 of client [0-9a-f]{32}; active: 2\./);
    // The CLI is another process: the service trusts a secret it matched for at most PARTNER_SECRET_CACHE_MS.
    const old = await firstRefusal(() => login(created.client_secret as string), PARTNER_SECRET_CACHE_MS + 1_000);
    expectEnvelope(old, 401, 'INVALID_CLIENT');
    expect((await login(rotated.client_secret as string)).status).toBe(200);

    expectRefused(
      await run(['clients:retire', '--client-id', created.client_id, '--slot', '2']),
      1,
      /^error: CONFLICT: This is the client's only active secret/,
    );
    expect((await login(rotated.client_secret as string)).status).toBe(200);
    expectRefused(
      await run(['clients:retire', '--client-id', CLIENT.id, '--slot', '3']),
      2,
      /--slot <n>.*must be 1 or 2/,
    );
  });

  it('users:lock locks with a reason; events:list shows it, filtered and paged', async () => {
    const user = await t.createUser('cli_lock');
    const locked = json(
      await run(['users:lock', '--username', user.username, '--reason', 'phoned: card stolen', '--json']),
    );
    expect(locked.lock).toMatchObject({ locked: true, permanent: true, reason: 'phoned: card stolen' });
    expectEnvelope(await t.login(user.username, user.password), 403, 'ACCOUNT_LOCKED');

    const lockEvents = json(await run(['events:list', '--user-id', user.userId, '--type', 'lock', '--json']));
    expect(lockEvents.events).toEqual([
      expect.objectContaining({ type: 'lock', outcome: 'locked_by_staff', detail: { reason: 'phoned: card stolen' } }),
    ]);
    expect(lockEvents.next_cursor).toBeNull();

    // Paged: every event of the user once, newest first, following --cursor.
    const all = json(await run(['events:list', '--user-id', user.userId, '--limit', '500', '--json'])).events as {
      id: number;
    }[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    const first = json(await run(['events:list', '--user-id', user.userId, '--limit', '2', '--json']));
    expect(first.events.map((e: { id: number }) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const second = json(
      await run(['events:list', '--user-id', user.userId, '--limit', '2', '--cursor', first.next_cursor, '--json']),
    );
    expect(second.events.map((e: { id: number }) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));

    const text = await run(['events:list', '--user-id', user.userId, '--type', 'lock', '--limit', '1']);
    expect(text.stdout).toMatch(/lock\/locked_by_staff {2}user=\S+ {2}.*"reason":"phoned: card stolen"/);
    const paged = await run(['events:list', '--user-id', user.userId, '--limit', '1']);
    const older = /\nOlder: --cursor (\S+)\n$/.exec(paged.stdout);
    expect(older).not.toBeNull();
    // The older page leads back to the newer one.
    const back = await run(['events:list', '--user-id', user.userId, '--limit', '1', '--cursor', older![1]]);
    expect(back.stdout).toMatch(/\nNewer: --cursor \S+\n$/);

    expectRefused(await run(['events:list', '--type', 'logins']), 1, /^error: INVALID_REQUEST: --type: must be one of/);
    expectRefused(await run(['events:list', '--cursor', 'xyz']), 1, /^error: INVALID_REQUEST: cursor: /);
    expect(json(await run(['users:unlock', '--user-id', user.userId, '--json'])).lock.locked).toBe(false);
    expect((await t.login(user.username, user.password)).status).toBe(200);
  }, 120_000);
});
