import { DataSource } from 'typeorm';
import { CLIENT, KEYS, PASSWORD, Res, TestApp, TestUser } from './harness';

/**
 * The staff routes of docs/api.md#tokens-for-the-banks-data-api and docs/api.md#staff-api as data, for test/roles.e2e-spec.ts: who may call
 * each, a fresh fixture per call, and what a user would check of the state the call changes.
 */

export type Role = 'admin' | 'support' | 'resource-server';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const ROLES: Role[] = ['admin', 'support', 'resource-server'];
export const KEY: Record<Role, string> = { admin: KEYS.admin, support: KEYS.support, 'resource-server': KEYS.rs };

export interface Fixture {
  user?: TestUser;
  token?: string;
  client?: typeof CLIENT;
  name?: string;
}

export interface StaffRoute {
  method: Method;
  /** As the controller declares it. */
  route: string;
  /** Who may call it: the @Roles decorator, and admin, who may do everything (docs/api.md, Staff API). */
  allowed: Role[];
  fixture?: () => Promise<Fixture>;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  /** What a user would check of the stored state the call changes (none for a read). */
  state?: (f: Fixture) => Promise<unknown>;
  /** The allowed answer. */
  ok: (r: Res, f: Fixture) => void;
  /** Undoes a call that, allowed, would disturb the rest of the suite. */
  undo?: () => Promise<unknown>;
}

/** The table, on the app that `t()` answers when a test runs (the table is built before the app starts). */
export function staffRoutes(t: () => TestApp): StaffRoute[] {
  let seq = 0;
  const fresh = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
  const NEW_PASSWORD = 'taken-over-by-the-call';

  const user = async (fields: Record<string, unknown> = {}): Promise<Fixture> => ({
    user: await t().createUser('roles', fields, PASSWORD),
  });
  const userWithToken = async (): Promise<Fixture> => {
    const f = await user();
    const r = await t().login(f.user!.username);
    expect(r.status).toBe(200);
    return { ...f, token: r.body.auth_token as string };
  };
  const lockedUser = async (): Promise<Fixture> => {
    const f = await user();
    expect((await t().admin('POST', `/admin/users/${f.user!.userId}/lock`, { reason: 'roles fixture' })).status).toBe(
      200,
    );
    return f;
  };
  const client = async (secrets: 1 | 2): Promise<Fixture> => {
    const c = await t().admin('POST', '/admin/clients', { name: fresh('roles-client') });
    expect(c.status).toBe(201);
    if (secrets === 2) expect((await t().admin('POST', `/admin/clients/${c.body.client_id}/secrets`)).status).toBe(201);
    return { client: { id: c.body.client_id as string, secret: c.body.client_secret as string } };
  };

  const view = async (f: Fixture) => (await t().admin('GET', `/admin/users/${f.user!.userId}`)).body;
  const loginStatus = async (f: Fixture, password = PASSWORD) => (await t().login(f.user!.username, password)).status;
  const active = async (f: Fixture) =>
    (await t().admin('POST', '/tokens/introspect', { token: f.token }, KEYS.rs)).body.active as boolean;
  /** Rows of a table with `column` = `value`, as stored (for what no route shows). */
  const rows = async (table: string, column: string, value: unknown) => {
    const q = t().px.app.get(DataSource).createQueryBuilder().select('COUNT(*)', 'n').from(table, 'x');
    return Number((await q.where(`x.${column} = :value`, { value }).getRawOne<{ n: string | number }>())?.n);
  };
  const ok200 = (r: Res) => expect(r.status).toBe(200);

  return [
    {
      method: 'POST',
      route: '/admin/users',
      allowed: ['admin'],
      fixture: () => Promise.resolve({ name: fresh('roles_new') }),
      path: () => '/admin/users',
      body: (f) => ({ username: f.name, password: PASSWORD }),
      state: async (f) => (await t().admin('GET', `/admin/users?username=${f.name}`)).body.users.length as number,
      ok: (r, f) => expect({ status: r.status, username: r.body.username }).toEqual({ status: 201, username: f.name }),
    },
    {
      method: 'GET',
      route: '/admin/users',
      allowed: ['support', 'admin'],
      path: () => '/admin/users?username=user_good',
      ok: (r) => expect(r.body.users.map((u: { username: string }) => u.username)).toEqual(['user_good']),
    },
    {
      method: 'GET',
      route: '/admin/users/:id',
      allowed: ['support', 'admin'],
      fixture: () => user(),
      path: (f) => `/admin/users/${f.user!.userId}`,
      ok: (r, f) => expect(r.body.user_id).toBe(f.user!.userId),
    },
    {
      // support may reset (remove) a factor; the same body for every role
      method: 'PATCH',
      route: '/admin/users/:id',
      allowed: ['support', 'admin'],
      fixture: () => user({ phone: '+14155550199' }),
      path: (f) => `/admin/users/${f.user!.userId}`,
      body: () => ({ phone: null }),
      state: async (f) => (await view(f)).factors.otp.length as number,
      ok: ok200,
    },
    {
      method: 'GET',
      route: '/admin/users/:id/events',
      allowed: ['support', 'admin'],
      fixture: () => user(),
      path: (f) => `/admin/users/${f.user!.userId}/events`,
      ok: (r) => expect(r.body.events.map((e: { type: string }) => e.type)).toContain('user_create'),
    },
    {
      method: 'POST',
      route: '/admin/users/:id/unlock',
      allowed: ['support', 'admin'],
      fixture: lockedUser,
      path: (f) => `/admin/users/${f.user!.userId}/unlock`,
      state: async (f) => [(await view(f)).lock.locked, await loginStatus(f)],
      ok: ok200,
    },
    {
      method: 'POST',
      route: '/admin/users/:id/lock',
      allowed: ['support', 'admin'],
      fixture: () => user(),
      path: (f) => `/admin/users/${f.user!.userId}/lock`,
      body: () => ({ reason: 'roles test' }),
      state: async (f) => [(await view(f)).lock.locked, await loginStatus(f)],
      ok: ok200,
    },
    {
      method: 'POST',
      route: '/admin/users/:id/password',
      allowed: ['admin'],
      fixture: () => user(),
      path: (f) => `/admin/users/${f.user!.userId}/password`,
      body: () => ({ password: NEW_PASSWORD }),
      state: async (f) => [await loginStatus(f), await loginStatus(f, NEW_PASSWORD)],
      ok: ok200,
    },
    {
      method: 'POST',
      route: '/admin/users/:id/terms',
      allowed: ['support', 'admin'],
      fixture: () => user({ terms_accepted_version: 0 }),
      path: (f) => `/admin/users/${f.user!.userId}/terms`,
      body: () => ({}),
      state: async (f) => [(await view(f)).terms.pending, await loginStatus(f)],
      ok: ok200,
    },
    {
      method: 'POST',
      route: '/admin/users/:id/tokens/revoke',
      allowed: ['support', 'admin'],
      fixture: userWithToken,
      path: (f) => `/admin/users/${f.user!.userId}/tokens/revoke`,
      state: active,
      ok: ok200,
    },
    {
      method: 'GET',
      route: '/admin/outbox',
      allowed: ['support', 'admin'],
      path: () => '/admin/outbox',
      ok: (r) => expect(Array.isArray(r.body.messages)).toBe(true),
    },
    {
      // The whole audit trail, filtered
      method: 'GET',
      route: '/admin/events',
      allowed: ['support', 'admin'],
      fixture: () => user(),
      path: (f) => `/admin/events?user_id=${f.user!.userId}`,
      ok: (r) => expect(r.body.events.map((e: { type: string }) => e.type)).toContain('user_create'),
    },
    {
      method: 'GET',
      route: '/admin/locks',
      allowed: ['support', 'admin'],
      path: () => '/admin/locks',
      ok: (r) => expect(Array.isArray(r.body.locks)).toBe(true),
    },
    {
      method: 'GET',
      route: '/admin/maintenance',
      allowed: ['support', 'admin'],
      path: () => '/admin/maintenance',
      ok: (r) => expect(r.body).toMatchObject({ enabled: false }),
    },
    {
      method: 'PUT',
      route: '/admin/maintenance',
      allowed: ['admin'],
      path: () => '/admin/maintenance',
      body: () => ({ enabled: true }),
      state: async () => [
        (await t().admin('GET', '/admin/maintenance')).body.enabled,
        (await t().login('user_good')).status,
      ],
      ok: ok200,
      undo: () => t().admin('PUT', '/admin/maintenance', { enabled: false }),
    },
    {
      method: 'POST',
      route: '/admin/clients',
      allowed: ['admin'],
      fixture: () => Promise.resolve({ name: fresh('roles-client') }),
      path: () => '/admin/clients',
      body: (f) => ({ name: f.name }),
      state: (f) => rows('partner_client', 'name', f.name),
      ok: (r) => expect(r.body.client_secret).toMatch(/^[0-9a-f]{64}$/),
    },
    {
      method: 'POST',
      route: '/admin/clients/:id/secrets',
      allowed: ['admin'],
      fixture: () => client(1),
      path: (f) => `/admin/clients/${f.client!.id}/secrets`,
      state: (f) => rows('partner_secret', 'client_id', f.client!.id),
      ok: (r) => expect(r.body.client_secret).toMatch(/^[0-9a-f]{64}$/),
    },
    {
      method: 'DELETE',
      route: '/admin/clients/:id/secrets/:n',
      allowed: ['admin'],
      fixture: () => client(2),
      path: (f) => `/admin/clients/${f.client!.id}/secrets/1`,
      // the first secret still lets Plaid in (docs/api.md#partner-authentication)
      state: async (f) =>
        (await t().plaid('/users/auth_token', { username: 'user_good', password: PASSWORD }, { client: f.client }))
          .status,
      ok: (r) => expect(r.body).toMatchObject({ revoked_slot: 1, active_slots: [2] }),
    },
    {
      method: 'POST',
      route: '/tokens/introspect',
      allowed: ['resource-server', 'admin'],
      fixture: userWithToken,
      path: () => '/tokens/introspect',
      body: (f) => ({ token: f.token }),
      ok: (r, f) => expect(r.body).toMatchObject({ active: true, user_id: f.user!.userId }),
    },
    {
      method: 'POST',
      route: '/tokens/revoke',
      allowed: ['resource-server', 'support', 'admin'],
      fixture: userWithToken,
      path: () => '/tokens/revoke',
      body: (f) => ({ token: f.token }),
      state: active,
      ok: (r) => expect(r.body).toEqual({}),
    },
  ];
}
