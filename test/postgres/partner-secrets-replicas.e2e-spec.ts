import { PARTNER_SECRET_CACHE_MS } from '@/partners/partners.service';
import { Res, TestApp, expectEnvelope, firstRefusal } from '../support/harness';
import { activeSecretSlots } from '../support/stored';

/**
 * Across replicas: two app instances on one database (each its own pool), so that only the
 * database's row locks keep a client from losing its last secret or gaining a third.
 */
describe('client secrets across two app instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await TestApp.start();
    b = await TestApp.start({ DATABASE_URL: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.stop(false);
    await a?.stop();
  });

  it('both active secrets retired at once on two replicas: one secret always stays, and it works', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await a.admin('POST', '/admin/clients', { name: 'replicas' });
      const added = await b.admin('POST', `/admin/clients/${c.body.client_id}/secrets`);
      expect(added.status).toBe(201);
      const secrets: Record<number, string> = { 1: c.body.client_secret, 2: added.body.client_secret };
      const rs = await Promise.all([
        a.admin('DELETE', `/admin/clients/${c.body.client_id}/secrets/1`),
        b.admin('DELETE', `/admin/clients/${c.body.client_id}/secrets/2`),
        b.admin('DELETE', `/admin/clients/${c.body.client_id}/secrets/1`),
        a.admin('DELETE', `/admin/clients/${c.body.client_id}/secrets/2`),
      ]);
      expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
      const left = await activeSecretSlots(b, c.body.client_id);
      expect(left).toHaveLength(1);
      const client = { id: c.body.client_id, secret: secrets[left[0]] };
      for (const app of [a, b])
        expect(
          (await app.plaid('/users/auth_token', { username: 'user_good', password: 'pass_good' }, { client })).status,
        ).toBe(200);
    }
  });

  it('rotations racing on two replicas: one winner, never a third active secret', async () => {
    const c = await a.admin('POST', '/admin/clients', { name: 'replicas' });
    const rs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).admin('POST', `/admin/clients/${c.body.client_id}/secrets`)),
    );
    expect(statuses(rs)).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await activeSecretSlots(a, c.body.client_id)).toEqual([1, 2]);
  });

  it('a secret in use retired on one replica: refused there at once, on the other within PARTNER_SECRET_CACHE_MS', async () => {
    const c = await a.admin('POST', '/admin/clients', { name: 'replicas' });
    const added = await a.admin('POST', `/admin/clients/${c.body.client_id}/secrets`);
    const login = (app: TestApp, secret: string) =>
      app.plaid(
        '/users/auth_token',
        { username: 'user_good', password: 'pass_good' },
        { client: { id: c.body.client_id, secret } },
      );
    for (const app of [a, b]) expect((await login(app, c.body.client_secret)).status).toBe(200);

    expect((await a.admin('DELETE', `/admin/clients/${c.body.client_id}/secrets/1`)).status).toBe(200);
    expectEnvelope(await login(a, c.body.client_secret), 401, 'INVALID_CLIENT');
    const onB = await firstRefusal(() => login(b, c.body.client_secret), PARTNER_SECRET_CACHE_MS + 1_000);
    expectEnvelope(onB, 401, 'INVALID_CLIENT');
    for (const app of [a, b]) expect((await login(app, added.body.client_secret)).status).toBe(200);
  });

  const statuses = (rs: Res[]) => rs.map((r) => r.status).sort();
});
