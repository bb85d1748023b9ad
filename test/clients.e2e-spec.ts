import { TestApp, expectEnvelope } from './support/harness';

/** Plaid's credentials (docs/api.md#partner-authentication): created by staff, rotated without downtime. */
describe('Plaid clients and secret rotation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });
  const loginAs = (client: { id: string; secret: string }) =>
    t.plaid('/users/auth_token', { username: 'user_good', password: 'pass_good' }, { client });

  it('a new client gets a 32-hex id and a 64-hex secret, shown once, that work at once', async () => {
    const c = await t.admin('POST', '/admin/clients', { name: 'Plaid production' });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({
      client_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      client_secret: expect.stringMatching(/^[0-9a-f]{64}$/),
      slot: 1,
      redirect_uris: ['https://cdn.plaid.com/link/v2/stable/oauth.html'],
    });
    expect((await loginAs({ id: c.body.client_id, secret: c.body.client_secret })).status).toBe(200);
    expectEnvelope(await loginAs({ id: c.body.client_id, secret: 'f'.repeat(64) }), 401, 'INVALID_CLIENT');
  });

  it('rotation: two secrets work side by side, then the old one is retired', async () => {
    const c = await t.admin('POST', '/admin/clients', { name: 'rotating' });
    const old = { id: c.body.client_id, secret: c.body.client_secret };
    const added = await t.admin('POST', `/admin/clients/${old.id}/secrets`);
    expect(added.body.slot).toBe(2);
    const fresh = { id: old.id, secret: added.body.client_secret };
    expect((await loginAs(old)).status).toBe(200);
    expect((await loginAs(fresh)).status).toBe(200);
    expectEnvelope(await t.admin('POST', `/admin/clients/${old.id}/secrets`), 409, 'CONFLICT');

    const revoked = await t.admin('DELETE', `/admin/clients/${old.id}/secrets/1`);
    expect(revoked.body).toEqual({ client_id: old.id, revoked_slot: 1, active_slots: [2] });
    expectEnvelope(await loginAs(old), 401, 'INVALID_CLIENT');
    expect((await loginAs(fresh)).status).toBe(200);
    expectEnvelope(await t.admin('DELETE', `/admin/clients/${old.id}/secrets/2`), 409, 'CONFLICT');
    expectEnvelope(await t.admin('DELETE', `/admin/clients/${old.id}/secrets/x`), 400, 'INVALID_REQUEST');
    expectEnvelope(await t.admin('DELETE', `/admin/clients/nope/secrets/1`), 404, 'NOT_FOUND');
  });

  it('only admins manage clients', async () => {
    expectEnvelope(await t.admin('POST', '/admin/clients', { name: 'x' }, 'sandbox-support-key'), 403, 'FORBIDDEN');
  });
});

describe('refused staff calls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('a call refused for its role is an audit event naming the staff member', async () => {
    const id = await t.userIdOf('user_good');
    expectEnvelope(
      await t.admin('POST', `/admin/users/${id}/password`, { password: 'new-password-1' }, 'sandbox-support-key'),
      403,
      'FORBIDDEN',
    );
    const refused = (await t.events(id)).find((e) => e.type === 'admin_call' && e.outcome === 'FORBIDDEN');
    expect(refused).toMatchObject({
      staff_id: expect.any(String),
      detail: { method: 'POST', staff_name: 'sandbox support', role: 'support' },
    });
    expect((await t.login('user_good')).status).toBe(200);
  });
});
