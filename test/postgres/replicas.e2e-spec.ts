import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { Answer, Replica, adminCall, plaidCall } from '../support/replica';
import { totpAt, wrongTotp } from '../support/totp';

/**
 * Three pxauth processes on one PostgreSQL database, the requests of each burst spread round-robin
 * over them, as a load balancer would: every guarantee of docs/api.md must hold across processes.
 */
describe('several replicas on one PostgreSQL database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-replicas-'));
  let db: TestDatabase;
  let replicas: Replica[];
  const THRESHOLD = 5;
  const at = (i: number) => replicas[i % replicas.length];
  const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;
  const createUser = (body: Record<string, unknown>) => adminCall(at(0).admin, 'POST', '/admin/users', body);

  beforeAll(async () => {
    db = await createTestDatabase(dir);
    // Started at once: they migrate and seed under the start-up lock, and each purges every second.
    replicas = await Promise.all(
      [1, 2, 3].map(() => Replica.start({ DATABASE_URL: db.url, MFA_MAX_ATTEMPTS: '20', PURGE_INTERVAL: '1s' })),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('started together, they migrated and seeded exactly once', async () => {
    const users = await adminCall(at(1).admin, 'GET', '/admin/users?username=user_good');
    expect(users.body.users).toHaveLength(1);
    expect(
      (await plaidCall(at(2).base, '/users/auth_token', { username: 'user_good', password: 'pass_good' })).status,
    ).toBe(200);
  });

  it('40 concurrent wrong passwords over three replicas check no more than the threshold', async () => {
    await createUser({ username: 'burst1', password: 'right-password' });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        plaidCall(at(i).base, '/users/auth_token', { username: 'burst1', password: `wrong-${i}` }),
      ),
    );
    expect(count(answers, 401)).toBe(THRESHOLD);
    // The rest: 403 once the lock is in, 503 while every remaining attempt was in flight (docs/operations.md).
    expect(count(answers, 403) + count(answers, 503)).toBe(40 - THRESHOLD);
    // The lock is shared: the right password on any replica now gets 403.
    for (const r of replicas)
      expect(
        (await plaidCall(r.base, '/users/auth_token', { username: 'burst1', password: 'right-password' })).status,
      ).toBe(403);
  });

  it('the same for a username that does not exist', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        plaidCall(at(i).base, '/users/auth_token', { username: 'nobody-at-all', password: `wrong-${i}` }),
      ),
    );
    expect(count(answers, 401)).toBe(THRESHOLD);
    // The rest: 403 once the lock is in, 503 while every remaining attempt was in flight (docs/operations.md).
    expect(count(answers, 403) + count(answers, 503)).toBe(40 - THRESHOLD);
  });

  it('30 wrong TOTP codes over six challenges and three replicas: the threshold judged, one lock', async () => {
    const made = await createUser({ username: 'burst2fa', password: 'right-password', totp: true });
    const secret = new URL(made.body.totp_uri as string).searchParams.get('secret')!;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await plaidCall(at(i).base, '/users/auth_token', { username: 'burst2fa', password: 'right-password' });
      expect(a.status).toBe(202);
      ids.push(a.body.challenge.id);
    }
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        plaidCall(at(i).base, `/users/${made.body.user_id}/2fa`, {
          challenge_id: ids[i % 6],
          passcode: wrongTotp(secret),
        }),
      ),
    );
    expect(count(answers, 401)).toBe(THRESHOLD);
    expect(count(answers, 403) + count(answers, 503)).toBe(30 - THRESHOLD);
    const events = await adminCall(at(1).admin, 'GET', `/admin/users/${made.body.user_id}/events`);
    const locks = (events.body.events as { type: string }[]).filter((e) => e.type === 'lock');
    expect(locks).toHaveLength(1);
    const view = await adminCall(at(2).admin, 'GET', `/admin/users/${made.body.user_id}`);
    expect(view.body.lock).toMatchObject({
      locked: true,
      locks_in_a_row: 1,
      consecutive_failures: 0,
      attempts_in_flight: 0,
    });
  });

  it('a challenge made on one replica is sent on a second and answered on the third', async () => {
    const a = await plaidCall(at(0).base, '/users/auth_token', { username: 'user_otp', password: 'pass_good' });
    expect(a.status).toBe(202);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect(
      (
        await plaidCall(at(1).base, `/users/${a.body.user_id}/sendOtp`, {
          challenge_id: a.body.challenge.id,
          send_method_id: sms.id,
        })
      ).status,
    ).toBe(200);
    const box = await adminCall(at(2).admin, 'GET', '/admin/outbox?to=%2B14155550123');
    const code = box.body.messages[0].body.match(/\b\d{6}\b/)[0];
    const r = await plaidCall(at(2).base, `/users/${a.body.user_id}/2fa`, {
      challenge_id: a.body.challenge.id,
      passcode: code,
    });
    expect(r.status).toBe(200);
    expect(r.body.user_id).toBe(a.body.user_id);
  });

  it('of 30 concurrent right answers to one challenge, over three replicas, exactly one gets a token', async () => {
    const a = await plaidCall(at(0).base, '/users/auth_token', { username: 'user_otp', password: 'pass_good' });
    const email = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'email');
    await plaidCall(at(1).base, `/users/${a.body.user_id}/sendOtp`, {
      challenge_id: a.body.challenge.id,
      send_method_id: email.id,
    });
    const box = await adminCall(at(0).admin, 'GET', '/admin/outbox?to=user_otp%40example.com');
    const code = box.body.messages[0].body.match(/\b\d{6}\b/)[0];
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        plaidCall(at(i).base, `/users/${a.body.user_id}/2fa`, { challenge_id: a.body.challenge.id, passcode: code }),
      ),
    );
    expect(count(answers, 200)).toBe(1);
    expect(
      answers
        .filter((x) => x.status !== 200)
        .every((x) => (x.status === 400 && x.body.error.id === 'CHALLENGE_EXPIRED') || x.status === 503),
    ).toBe(true);
  });

  it('a TOTP code is accepted once, whichever replicas its concurrent uses land on', async () => {
    const challenges = await Promise.all(
      [0, 1, 2].map((i) =>
        plaidCall(at(i).base, '/users/auth_token', { username: 'user_totp', password: 'pass_good' }),
      ),
    );
    const code = totpAt('JBSWY3DPEHPK3PXP');
    const answers = await Promise.all(
      challenges.map((c, i) =>
        plaidCall(at(i + 1).base, `/users/${c.body.user_id}/2fa`, {
          challenge_id: c.body.challenge.id,
          passcode: code,
        }),
      ),
    );
    expect(count(answers, 200)).toBe(1);
    expect(count(answers, 401)).toBe(2);
    await adminCall(at(0).admin, 'POST', `/admin/users/${challenges[0].body.user_id}/unlock`);
  });

  it('a lock set on one replica is seen by the others at once, and so is the unlock', async () => {
    const u = await createUser({ username: 'lockme', password: 'right-password' });
    expect(
      (await adminCall(at(0).admin, 'POST', `/admin/users/${u.body.user_id}/lock`, { reason: 'fraud report' })).status,
    ).toBe(200);
    expect(
      (await plaidCall(at(1).base, '/users/auth_token', { username: 'lockme', password: 'right-password' })).status,
    ).toBe(403);
    expect(
      (await plaidCall(at(2).base, '/users/auth_token', { username: 'lockme', password: 'right-password' })).status,
    ).toBe(403);
    await adminCall(at(2).admin, 'POST', `/admin/users/${u.body.user_id}/unlock`);
    expect(
      (await plaidCall(at(1).base, '/users/auth_token', { username: 'lockme', password: 'right-password' })).status,
    ).toBe(200);
  });

  it('killing a replica in the middle of a burst loses no lock and no spent challenge', async () => {
    await createUser({ username: 'burst2', password: 'right-password' });
    const a = await plaidCall(at(0).base, '/users/auth_token', { username: 'user_otp', password: 'pass_good' });
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    await plaidCall(at(0).base, `/users/${a.body.user_id}/sendOtp`, {
      challenge_id: a.body.challenge.id,
      send_method_id: sms.id,
    });
    const box = await adminCall(at(0).admin, 'GET', '/admin/outbox?to=%2B14155550123');
    const code = box.body.messages[0].body.match(/\b\d{6}\b/)[0];

    const victim = replicas[2];
    const settle = (p: Promise<Answer>) => p.catch(() => ({ status: 0, body: undefined }));
    const guesses = Array.from({ length: 30 }, (_, i) =>
      settle(plaidCall(at(i).base, '/users/auth_token', { username: 'burst2', password: `wrong-${i}` })),
    );
    const rights = Array.from({ length: 15 }, (_, i) =>
      settle(
        plaidCall(at(i).base, `/users/${a.body.user_id}/2fa`, { challenge_id: a.body.challenge.id, passcode: code }),
      ),
    );
    setTimeout(() => victim.kill('SIGKILL'), 5);
    const [g, r] = [await Promise.all(guesses), await Promise.all(rights)];
    replicas = replicas.filter((x) => x !== victim);

    // Requests on the killed replica may have died unanswered (status 0); none answered wrongly, and
    // the survivors served enough of each burst that the lock and the spending must have happened.
    expect(count(g, 401)).toBeLessThanOrEqual(THRESHOLD);
    expect(count(r, 200)).toBeLessThanOrEqual(1);
    expect(g.filter((x) => x.status !== 0).every((x) => [401, 403, 503].includes(x.status))).toBe(true);
    for (const s of replicas) {
      // Locked (403), or, where the dead replica's attempts are still counted as in flight, 503 until
      // they are settled (IN_FLIGHT_MS): never a password check, never a token.
      const login = await plaidCall(s.base, '/users/auth_token', { username: 'burst2', password: 'right-password' });
      expect([403, 503]).toContain(login.status);
      const again = await plaidCall(s.base, `/users/${a.body.user_id}/2fa`, {
        challenge_id: a.body.challenge.id,
        passcode: code,
      });
      expect(again.body.error.id).toBe('CHALLENGE_EXPIRED');
    }
  });
});
