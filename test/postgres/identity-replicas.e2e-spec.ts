import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BankServer } from '../support/bank-server';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { Answer, Replica, adminCall, plaidCall } from '../support/replica';

/**
 * Locks follow the person across processes: two pxauth replicas on one PostgreSQL database, a bank (a
 * real HTTP server) that takes three identifiers for one customer, and a burst of wrong passcodes over
 * challenges opened through every identifier on both replicas. The customer's count is one row: no
 * more than LOCKOUT_THRESHOLD answers are judged, one lock is made, and every identifier is then 403.
 */
const KEY = 'bank-shared-hmac-key-replicas-0123456789';
const THRESHOLD = 4;
const PHONE = '+14155550143';
const IDS = ['carol', 'carol@bank.example', '0043'];

describe('locks follow the person over two replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-identity-replicas-'));
  const bank = new BankServer(KEY);
  let db: TestDatabase;
  let replicas: Replica[];
  const at = (i: number) => replicas[i % replicas.length];
  const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

  beforeAll(async () => {
    await bank.start();
    const carol = { password: 'carol-Secret-1', reference: 'cust-0043', phone: PHONE };
    for (const id of IDS) bank.users.set(id, carol);
    db = await createTestDatabase(dir);
    const env = {
      DATABASE_URL: db.url,
      CREDENTIAL_SOURCE: 'http',
      UPSTREAM_VERIFY_URL: bank.url,
      UPSTREAM_HMAC_KEY: KEY,
      LOCKOUT_THRESHOLD: String(THRESHOLD),
      MFA_MAX_ATTEMPTS: '20',
    };
    replicas = await Promise.all([1, 2].map(() => Replica.start(env)));
  }, 120_000);
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await db?.drop();
    await bank.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('30 wrong passcodes over six challenges, three identifiers and two replicas: the threshold judged, one lock', async () => {
    const opened: { id: string; wrong: string }[] = [];
    let userId = '';
    for (let i = 0; i < 6; i++) {
      const a = await plaidCall(at(i).base, '/users/auth_token', { username: IDS[i % 3], password: 'carol-Secret-1' });
      expect(a.status).toBe(202);
      userId ||= a.body.user_id;
      expect(a.body.user_id).toBe(userId);
      const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
      const sent = await plaidCall(at(i + 1).base, `/users/${userId}/sendOtp`, {
        challenge_id: a.body.challenge.id,
        send_method_id: sms.id,
      });
      expect(sent.status).toBe(200);
      const outbox = await adminCall(at(i).admin, 'GET', `/admin/outbox?to=${encodeURIComponent(PHONE)}`);
      const code = (outbox.body.messages[0].body as string).match(/\b\d{6}\b/)![0];
      opened.push({ id: a.body.challenge.id, wrong: String((Number(code) + 1) % 1_000_000).padStart(6, '0') });
    }
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        plaidCall(at(i).base, `/users/${userId}/2fa`, {
          challenge_id: opened[i % 6].id,
          passcode: opened[i % 6].wrong,
        }),
      ),
    );
    expect(count(answers, 401)).toBe(THRESHOLD);
    expect(count(answers, 403) + count(answers, 503)).toBe(30 - THRESHOLD);
    const events = (await adminCall(at(1).admin, 'GET', `/admin/users/${userId}/events`)).body.events as {
      type: string;
      outcome: string;
    }[];
    expect(events.filter((e) => e.type === '2fa' && e.outcome === 'wrong')).toHaveLength(THRESHOLD);
    expect(events.filter((e) => e.type === 'lock')).toHaveLength(1);
    for (let i = 0; i < 6; i++) {
      const r = await plaidCall(at(i).base, '/users/auth_token', { username: IDS[i % 3], password: 'carol-Secret-1' });
      expect(r.status).toBe(403);
      expect(r.body.error.id).toBe('ACCOUNT_LOCKED');
    }
    const view = await adminCall(at(0).admin, 'GET', `/admin/users/${userId}`);
    expect(view.body.lock).toMatchObject({ locked: true, attempts_in_flight: 0 });
  });
});
