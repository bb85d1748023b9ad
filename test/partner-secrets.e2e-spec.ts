import { Res, TEST_ENGINE, TestApp, expectEnvelope } from './support/harness';
import { activeSecretSlots } from './support/stored';

/**
 * Rotating and retiring Plaid's client secrets is atomic (docs/api.md#partner-authentication). Whatever
 * staff calls race, a client never has zero active secrets, never three, and never two in a slot.
 */
describe(`client secrets under concurrent staff calls (${TEST_ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  const newClient = async (app = t) => {
    const c = await app.admin('POST', '/admin/clients', { name: 'race' });
    expect(c.status).toBe(201);
    return { id: c.body.client_id as string, secret: c.body.client_secret as string };
  };
  const loginWith = (client: { id: string; secret: string }, app = t) =>
    app.plaid('/users/auth_token', { username: 'user_good', password: 'pass_good' }, { client });
  const statuses = (rs: Res[]) => rs.map((r) => r.status).sort();

  it('five concurrent rotations of one client: exactly one 201, four 409, one secret per slot', async () => {
    const c = await newClient();
    const rs = await Promise.all(Array.from({ length: 5 }, () => t.admin('POST', `/admin/clients/${c.id}/secrets`)));
    expect(statuses(rs)).toEqual([201, 409, 409, 409, 409]);
    for (const r of rs.filter((x) => x.status === 409)) expectEnvelope(r, 409, 'CONFLICT');
    const won = rs.find((r) => r.status === 201)!;
    expect(won.body).toMatchObject({ client_id: c.id, slot: 2 });
    expect(await activeSecretSlots(t, c.id)).toEqual([1, 2]);
    // Both secrets work: the rotation happened, and only once.
    expect((await loginWith(c)).status).toBe(200);
    expect((await loginWith({ id: c.id, secret: won.body.client_secret })).status).toBe(200);
  });

  it('five concurrent rotations after slot 1 was retired: the one winner takes slot 1', async () => {
    const c = await newClient();
    expect((await t.admin('POST', `/admin/clients/${c.id}/secrets`)).status).toBe(201);
    expect((await t.admin('DELETE', `/admin/clients/${c.id}/secrets/1`)).status).toBe(200);
    const rs = await Promise.all(Array.from({ length: 5 }, () => t.admin('POST', `/admin/clients/${c.id}/secrets`)));
    expect(statuses(rs)).toEqual([201, 409, 409, 409, 409]);
    expect(rs.find((r) => r.status === 201)!.body.slot).toBe(1);
    expect(await activeSecretSlots(t, c.id)).toEqual([1, 2]);
    expectEnvelope(await t.admin('POST', '/admin/clients/no-such-client/secrets'), 404, 'NOT_FOUND');
  });

  it('retiring both active secrets at once: one is refused, one secret stays and still authenticates', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await newClient();
      const added = await t.admin('POST', `/admin/clients/${c.id}/secrets`);
      const secrets = { 1: c.secret, 2: added.body.client_secret as string };
      const rs = await Promise.all(
        [1, 2, 1, 2].map((slot) => t.admin('DELETE', `/admin/clients/${c.id}/secrets/${slot}`)),
      );
      expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of rs.filter((x) => x.status !== 200)) {
        expect([404, 409]).toContain(r.status);
        expectEnvelope(r, r.status, r.status === 409 ? 'CONFLICT' : 'NOT_FOUND');
      }
      const left = await activeSecretSlots(t, c.id);
      expect(left).toHaveLength(1);
      const retired = rs.find((r) => r.status === 200)!.body;
      expect(retired.active_slots).toEqual(left);
      expect((await loginWith({ id: c.id, secret: secrets[left[0] as 1 | 2] })).status).toBe(200);
      expectEnvelope(
        await loginWith({ id: c.id, secret: secrets[retired.revoked_slot as 1 | 2] }),
        401,
        'INVALID_CLIENT',
      );
    }
  });

  it('a new client and its first secret are written together', async () => {
    const c = await newClient();
    expect(await activeSecretSlots(t, c.id)).toEqual([1]);
  });
});
