import request from 'supertest';
import { KEYS, Res, TestApp, expectEnvelope } from './support/harness';
import { storedRows } from './support/stored';

/**
 * docs/operations.md#shedding-and-throttling: admission control in front of the password check. With one argon2 check at
 * a time, a burst is partly accepted and partly shed: 503 with retry_at, its attempt given back, and
 * the internal listener answering all the while.
 */

const WRONG = 'not-the-password';

async function failures(t: TestApp, userId: string): Promise<number> {
  const r = await t.admin('GET', `/admin/users/${userId}`);
  expect(r.status).toBe(200);
  return r.body.lock.consecutive_failures as number;
}

function expectShed(r: Res): void {
  expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
  expect(r.body.error.retry_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('overload: docs/operations.md#shedding-and-throttling', () => {
  describe('a burst against one check at a time (OVERLOAD_CONCURRENCY=1, OVERLOAD_QUEUE_TIMEOUT=100ms)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ OVERLOAD_CONCURRENCY: '1', OVERLOAD_QUEUE_TIMEOUT: '100ms' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('sheds part of a burst with 503 and retry_at, and a shed login does not count towards the lockout', async () => {
      const users = [];
      for (let i = 0; i < 8; i++) users.push(await t.createUser('Shed'));
      // Three wrong passwords each, all at once: 24 checks of about 30 ms against a 100 ms queue.
      const burst = users.flatMap((u) => [0, 1, 2].map(() => t.login(u.username, WRONG).then((r) => ({ u, r }))));
      const answers = await Promise.all(burst);

      const statuses = answers.map((a) => a.r.status);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
      for (const { r } of answers) {
        if (r.status === 503) expectShed(r);
        else expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
      }
      // Each user's count holds exactly its judged wrong passwords: the shed ones were given back.
      for (const u of users) {
        const judged = answers.filter((a) => a.u === u && a.r.status === 401).length;
        expect([u.username, await failures(t, u.userId)]).toEqual([u.username, judged]);
      }
      // The audit trail says what happened to a shed login.
      const shedUser = answers.find((a) => a.r.status === 503)!.u;
      const outcomes = (await t.events(shedUser.userId)).filter((e) => e.type === 'login').map((e) => e.outcome);
      expect(outcomes).toContain('overloaded');
    });

    it('a login shed at once counts nothing: it leaves no login_guard row; one shed from the queue gives its attempt back', async () => {
      const users = [];
      for (let i = 0; i < 12; i++) users.push(await t.createUser('Once'));
      // One right password each, all at once: one check at a time against a 100 ms queue.
      const answers = await Promise.all(users.map((u) => t.login(u.username, u.password).then((r) => ({ u, r }))));
      const shed = answers.filter((a) => a.r.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.r.status !== 503).every((a) => a.r.status === 200)).toBe(true);
      const counters: unknown[] = [];
      for (const { u, r } of shed) {
        expectShed(r);
        const rows = await storedRows(t, 'SELECT failures, in_flight FROM login_guard WHERE username_norm = ?', [
          u.username.toLowerCase(),
        ]);
        counters.push(
          rows.length ? { failures: Number(rows[0].failures), in_flight: Number(rows[0].in_flight) } : 'none',
        );
        const outcomes = (await t.events(u.userId)).filter((e) => e.type === 'login').map((e) => e.outcome);
        expect([u.username, outcomes]).toEqual([u.username, ['overloaded']]);
      }
      // Refused at once (the queue already too long): no attempt taken, so no row. Refused when its
      // deadline passed in the queue: its attempt was counted and given back. Nothing stays counted.
      expect(counters).toContain('none');
      for (const c of counters) expect(['none', { failures: 0, in_flight: 0 }]).toContainEqual(c);
    });

    it('a user shed again and again is never locked by it, and logs in once the burst is over', async () => {
      const u = await t.createUser('Retry');
      const noise = await t.createUser('Noise');
      // Ten rounds of the user's wrong password among a burst of others: only judged ones may count.
      let judged = 0;
      for (let round = 0; round < 3; round++) {
        const mine = t.login(u.username, WRONG);
        const others = Array.from({ length: 10 }, () => t.login(noise.username, WRONG));
        const r = await mine;
        await Promise.all(others);
        if (r.status === 401) judged++;
        else expectShed(r);
      }
      expect(await failures(t, u.userId)).toBe(judged);
      expect(judged).toBeLessThan(5);
      const ok = await t.login(u.username, u.password);
      expect(ok.status).toBe(200);
      expect(await failures(t, u.userId)).toBe(0);
    });

    it('KBA answers are admitted the same way: shed with 503, the user not charged, answered after', async () => {
      const u = await t.createUser('KbaShed', {
        kba: [
          { question: 'First pet?', answer: 'Rex' },
          { question: 'First street?', answer: 'Elm' },
        ],
      });
      type KbaChallenge = { id: string; questions: { id: string; text: string }[] };
      const challenges: KbaChallenge[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await t.login(u.username, u.password);
        expect(r.status).toBe(202);
        challenges.push(r.body.challenge as KbaChallenge);
      }
      const answer = (c: KbaChallenge) => {
        const p = new URLSearchParams({ challenge_id: c.id });
        c.questions.forEach((q, i) => {
          p.append(`answers[${i}].question_id`, q.id);
          p.append(`answers[${i}].text`, q.text === 'First pet?' ? 'Rex' : 'Elm');
        });
        return t.twoFactor(u.userId, p.toString());
      };
      // Six right answer sets (two verifies each) at once, among a burst of wrong passwords of another user.
      const noise = await t.createUser('KbaNoise');
      const others = Array.from({ length: 12 }, () => t.login(noise.username, WRONG));
      const answers = await Promise.all(challenges.map(answer));
      await Promise.all(others);
      const shed = answers.filter((r) => r.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      for (const r of shed) expectShed(r);
      for (const r of answers.filter((x) => x.status !== 503)) expect(r.status).toBe(200);
      expect(await failures(t, u.userId)).toBe(0);
      // A shed challenge is still open: answered again, calmly, it logs the user in.
      const again = await answer(challenges[answers.findIndex((r) => r.status === 503)]);
      expect(again.status).toBe(200);
      const outcomes = (await t.events(u.userId)).filter((e) => e.type === '2fa').map((e) => e.outcome);
      expect(outcomes).toContain('overloaded');
    });
  });

  describe('the internal listener while the public one sheds (OVERLOAD_QUEUE_TIMEOUT=1s)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await TestApp.start({ OVERLOAD_CONCURRENCY: '1', OVERLOAD_QUEUE_TIMEOUT: '1s' });
    });
    afterAll(async () => {
      await t.stop();
    });

    it('a staff call and an introspection answer at once in the middle of a shed burst', async () => {
      const token = (await t.login('user_good')).body.auth_token as string;
      const userId = await t.userIdOf('user_good');
      let pending = 0;
      let firstShed!: () => void;
      const shedSeen = new Promise<void>((resolve) => (firstShed = resolve));
      const burst = Array.from({ length: 120 }, (_, i) => {
        pending++;
        return t.login(`nobody_${i}`, WRONG).then((r) => {
          pending--;
          if (r.status === 503) firstShed();
          return r;
        });
      });
      await shedSeen;

      const started = Date.now();
      const staff = await t.admin('GET', `/admin/users/${userId}`, undefined, KEYS.support);
      const staffMs = Date.now() - started;
      const introspected = await request(t.px.internalServer)
        .post('/tokens/introspect')
        .set('Authorization', `Bearer ${KEYS.rs}`)
        .type('form')
        .send({ token });
      const bothMs = Date.now() - started;
      const stillPending = pending;

      expect(staff.status).toBe(200);
      expect(introspected.status).toBe(200);
      expect(introspected.body).toMatchObject({ active: true, user_id: userId });
      // Accepted logins are still waiting for their checks, and the internal answers did not wait behind them.
      expect(stillPending).toBeGreaterThan(0);
      expect({ staffMs: staffMs < 500, bothMs: bothMs < 1_000 }).toEqual({ staffMs: true, bothMs: true });

      const answers = await Promise.all(burst);
      const shed = answers.filter((r) => r.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      for (const r of shed) expectShed(r);
      const accepted = answers.filter((x) => x.status !== 503);
      for (const r of accepted) expectEnvelope(r, 401, 'INVALID_CREDENTIALS');
      // An accepted login is answered within about OVERLOAD_QUEUE_TIMEOUT plus one check (docs/operations.md),
      // as the server measured it (pino-http's responseTime: from the request's arrival to its answer).
      await new Promise((r) => setTimeout(r, 200));
      const took = new Map(
        t.logs
          .join('')
          .split('\n')
          .filter((l) => l.includes('"responseTime"'))
          .map((l) => JSON.parse(l) as { request_id: string; responseTime: number })
          .map((l) => [l.request_id, l.responseTime]),
      );
      const times = accepted.map((r) => took.get(r.body.request_id as string));
      expect(times.filter((ms) => ms === undefined || ms > 2_500)).toEqual([]);
    });
  });
});
