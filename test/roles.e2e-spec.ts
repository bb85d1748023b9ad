import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DataSource } from 'typeorm';
import { AdminOpsController } from '@/staff/admin/admin-ops.controller';
import { AdminUsersController } from '@/staff/admin/admin-users.controller';
import { TokensController } from '@/tokens/tokens.controller';
import { KEY, ROLES, Role, StaffRoute, Fixture, staffRoutes } from './support/staff-routes';
import { TestApp, expectEnvelope } from './support/harness';

/**
 * docs/api.md#staff-api: every staff route, called with no key, a wrong key, each role that may not
 * call it (403, nothing changed, the refusal an audit event naming the staff member), and each role
 * that may (the positive control: the same state check sees the change, so the table cannot pass by
 * checking nothing). One row per route; a route missing from the table fails the first test.
 */

let t: TestApp;
const ROUTES = staffRoutes(() => t);

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
async function adminCalls(route: StaffRoute, f: Fixture, requestId: string): Promise<AuditRow[]> {
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

type Case = { route: StaffRoute; who: string; key: string | null; role?: Role; expected: 'ok' | 401 | 403 };
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

describe('staff roles on every staff route: docs/api.md#staff-api', () => {
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
