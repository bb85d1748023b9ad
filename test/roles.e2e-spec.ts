import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DataSource } from 'typeorm';
import { AdminOpsController } from '@/staff/admin/admin-ops.controller';
import { AdminUsersController } from '@/staff/admin/admin-users.controller';
import { TokensController } from '@/tokens/tokens.controller';
import { CLIENT, KEYS, PASSWORD, Res, TestApp, TestUser, expectEnvelope } from './support/harness';

/**
 * PRODUCT.md section 9: every staff route, called with no key, a wrong key, each role that may not
 * call it (403, nothing changed, the refusal an audit event naming the staff member), and each role
 * that may (the positive control: the same state check sees the change, so the table cannot pass by
 * checking nothing). One row per route; a route missing from the table fails the first test.
 */

type Role = 'admin' | 'support' | 'resource-server';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const ROLES: Role[] = ['admin', 'support', 'resource-server'];
const KEY: Record<Role, string> = { admin: KEYS.admin, support: KEYS.support, 'resource-server': KEYS.rs };

interface Fixture {
  user?: TestUser;
  token?: string;
  client?: typeof CLIENT;
  name?: string;
}

interface Route {
  method: Method;
  /** As the controller declares it. */
  route: string;
  /** Who may call it: the @Roles decorator, and admin, who may do everything (section 9). */
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

let t: TestApp;
let seq = 0;
const fresh = (prefix: string) => `${prefix}_${++seq}_${Math.random().toString(36).slice(2, 8)}`;
const NEW_PASSWORD = 'taken-over-by-the-call';

const user = async (fields: Record<string, unknown> = {}): Promise<Fixture> => ({
  user: await t.createUser('roles', fields, PASSWORD),
});
const userWithToken = async (): Promise<Fixture> => {
  const f = await user();
  const r = await t.login(f.user!.username);
  expect(r.status).toBe(200);
  return { ...f, token: r.body.auth_token as string };
};
const lockedUser = async (): Promise<Fixture> => {
  const f = await user();
  expect((await t.admin('POST', `/admin/users/${f.user!.userId}/lock`, { reason: 'roles fixture' })).status).toBe(200);
  return f;
};
const client = async (secrets: 1 | 2): Promise<Fixture> => {
  const c = await t.admin('POST', '/admin/clients', { name: fresh('roles-client') });
  expect(c.status).toBe(201);
  if (secrets === 2) expect((await t.admin('POST', `/admin/clients/${c.body.client_id}/secrets`)).status).toBe(201);
  return { client: { id: c.body.client_id as string, secret: c.body.client_secret as string } };
};

const view = async (f: Fixture) => (await t.admin('GET', `/admin/users/${f.user!.userId}`)).body;
const loginStatus = async (f: Fixture, password = PASSWORD) => (await t.login(f.user!.username, password)).status;
const active = async (f: Fixture) =>
  (await t.admin('POST', '/tokens/introspect', { token: f.token }, KEYS.rs)).body.active as boolean;
/** Rows of a table with `column` = `value`, as stored (for what no route shows). */
const rows = async (table: string, column: string, value: unknown) => {
  const q = t.px.app.get(DataSource).createQueryBuilder().select('COUNT(*)', 'n').from(table, 'x');
  return Number((await q.where(`x.${column} = :value`, { value }).getRawOne<{ n: string | number }>())?.n);
};
const ok200 = (r: Res) => expect(r.status).toBe(200);

const ROUTES: Route[] = [
  {
    method: 'POST',
    route: '/admin/users',
    allowed: ['admin'],
    fixture: () => Promise.resolve({ name: fresh('roles_new') }),
    path: () => '/admin/users',
    body: (f) => ({ username: f.name, password: PASSWORD }),
    state: async (f) => (await t.admin('GET', `/admin/users?username=${f.name}`)).body.users.length as number,
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
    allowed: ['admin'],
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
    state: async () => [(await t.admin('GET', '/admin/maintenance')).body.enabled, (await t.login('user_good')).status],
    ok: ok200,
    undo: () => t.admin('PUT', '/admin/maintenance', { enabled: false }),
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
    // the first secret still lets Plaid in (PRODUCT.md section 2)
    state: async (f) =>
      (await t.plaid('/users/auth_token', { username: 'user_good', password: PASSWORD }, { client: f.client })).status,
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

/** Every route the three controllers declare, as `METHOD /path`. */
function declaredRoutes(): string[] {
  return [AdminUsersController, AdminOpsController, TokensController].flatMap((ctrl) => {
    const base = Reflect.getMetadata(PATH_METADATA, ctrl) as string;
    const proto = ctrl.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto)
      .filter((m) => m !== 'constructor' && Reflect.hasMetadata(METHOD_METADATA, proto[m] as object))
      .map((m) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, proto[m] as object) as number];
        const path = `/${base}/${Reflect.getMetadata(PATH_METADATA, proto[m] as object) as string}`;
        return `${method} ${path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`;
      });
  });
}

interface AuditRow {
  type: string;
  outcome: string;
  staff_id: string | null;
  detail: Record<string, unknown> | null;
}

/** The admin_call events of one request: through the events API for a user's route, else as stored. */
async function adminCalls(route: Route, f: Fixture, requestId: string): Promise<AuditRow[]> {
  const all: AuditRow[] = route.route.startsWith('/admin/users/:id')
    ? (await t.events(f.user!.userId))
        .filter((e) => e.request_id === requestId)
        .map(({ type, outcome, staff_id, detail }) => ({
          type,
          outcome,
          staff_id,
          detail: detail as AuditRow['detail'],
        }))
    : (
        await t.px.app
          .get(DataSource)
          .createQueryBuilder()
          .select(['x.type AS type', 'x.outcome AS outcome', 'x.staff_id AS staff_id', 'x.detail AS detail'])
          .from('audit_event', 'x')
          .where('x.request_id = :requestId', { requestId })
          .getRawMany<Omit<AuditRow, 'detail'> & { detail: string | null }>()
      ).map((e) => ({ ...e, detail: e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null }));
  return all.filter((e) => e.type === 'admin_call');
}

type Case = { route: Route; who: string; key: string | null; role?: Role; expected: 'ok' | 401 | 403 };
const CASES: Case[] = ROUTES.flatMap((route) => [
  { route, who: 'no key', key: null, expected: 401 as const },
  { route, who: 'a wrong key', key: 'not-a-staff-key', expected: 401 as const },
  ...ROLES.filter((role) => !route.allowed.includes(role)).map((role) => ({
    route,
    who: role,
    key: KEY[role],
    role,
    expected: 403 as const,
  })),
  ...route.allowed.map((role) => ({ route, who: role, key: KEY[role], role, expected: 'ok' as const })),
]);

describe('staff roles on every staff route: PRODUCT.md section 9', () => {
  const staff = new Map<Role, { id: string; name: string }>();
  beforeAll(async () => {
    t = await TestApp.start();
    const keys = await t.px.app
      .get(DataSource)
      .createQueryBuilder()
      .select(['k.id AS id', 'k.name AS name', 'k.role AS role'])
      .from('staff_key', 'k')
      .getRawMany<{ id: string; name: string; role: Role }>();
    for (const k of keys) staff.set(k.role, { id: k.id, name: k.name });
    expect([...staff.keys()].sort()).toEqual([...ROLES].sort());
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the table has every route of the admin and token controllers, and each role is refused somewhere', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.route}`).sort()).toEqual(declaredRoutes().sort());
    expect(new Set(CASES.filter((c) => c.expected === 403).map((c) => c.role))).toEqual(
      new Set(['support', 'resource-server']),
    );
  });

  it.each(CASES.map((c) => [`${c.route.method} ${c.route.route}`, c.who, c.expected, c] as const))(
    '%s with %s: %s',
    async (_route, _who, expected, { route, key, role }) => {
      const f = (await route.fixture?.()) ?? {};
      const before = await route.state?.(f);
      const r = await t.admin(route.method, route.path(f), route.body?.(f), key);
      try {
        if (expected === 'ok') {
          expect(r.status).toBeGreaterThanOrEqual(200);
          expect(r.status).toBeLessThan(300);
          route.ok(r, f);
          // the positive control: the state check below sees what the allowed call changed
          if (route.state) expect(await route.state(f)).not.toEqual(before);
          return;
        }
        expectEnvelope(r, expected, expected === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
        if (route.state) expect(await route.state(f)).toEqual(before);
        if (expected === 403) {
          expect(await adminCalls(route, f, r.body.request_id as string)).toEqual([
            {
              type: 'admin_call',
              outcome: 'FORBIDDEN',
              staff_id: staff.get(role!)!.id,
              detail: expect.objectContaining({
                method: route.method,
                route: route.route,
                staff_name: staff.get(role!)!.name,
                role,
              }),
            },
          ]);
        }
      } finally {
        await route.undo?.();
      }
    },
  );
});
