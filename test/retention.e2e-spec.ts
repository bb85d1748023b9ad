import { DataSource } from 'typeorm';
import { PurgeJob } from '@/retention/purge.job';
import { TEST_ENGINE, TestApp } from './support/harness';

const DAY = 86_400_000;

describe(`retention: the purge job (${TEST_ENGINE})`, () => {
  let t: TestApp;
  let ds: DataSource;
  const scalar = async (sql: string) => Number(Object.values((await ds.query(sql))[0])[0]);
  beforeAll(async () => {
    t = await TestApp.start({ PURGE_RETENTION: '7d' });
    ds = t.px.app.get(DataSource);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('drops expired challenges, spent codes, idle counters, old outbox messages and dead tokens, and nothing live', async () => {
    // Live state that must survive.
    const live = await t.otpChallenge();
    expect((await t.sendOtp(live.userId, live.challengeId, live.method.id)).status).toBe(200);
    const good = await t.login('user_good');
    await t.login('user_kba', 'wrong-password'); // a fresh failure counter
    // State that is old enough to go: backdated in the database.
    const old = await t.otpChallenge();
    await t.sendOtp(old.userId, old.challengeId, old.method.id);
    await ds.query(`UPDATE challenge SET expires_at = ${Date.now() - 2 * 3_600_000} WHERE id = '${old.challengeId}'`);
    await ds.query(
      `UPDATE outbox_message SET created_at = ${Date.now() - 8 * DAY} WHERE challenge_id = '${old.challengeId}'`,
    );
    const spent = await t.login('user_totp');
    await ds.query(`UPDATE challenge SET state = 'spent', code_hmac = 'x' WHERE id = '${spent.body.challenge.id}'`);
    const stale = await t.login('user_good');
    await ds.query(`UPDATE auth_token SET expires_at = ${Date.now() - 8 * DAY}`);
    await ds.query(
      `UPDATE auth_token SET expires_at = ${Date.now() + DAY} WHERE user_id = '${good.body.user_id}' AND issued_at < (SELECT MAX(issued_at) FROM auth_token)`,
    );
    await t.login('idle-stranger', 'x');
    await ds.query(`UPDATE login_guard SET updated_at = ${Date.now() - 8 * DAY} WHERE username_norm = 'idle-stranger'`);

    const counts = await t.px.app.get(PurgeJob).runOnce();

    expect(counts.challenges).toBe(1);
    expect(await scalar(`SELECT COUNT(*) FROM challenge WHERE id = '${old.challengeId}'`)).toBe(0);
    expect(await scalar(`SELECT COUNT(*) FROM challenge WHERE id = '${live.challengeId}'`)).toBe(1);
    expect(
      await scalar(`SELECT COUNT(*) FROM challenge WHERE id = '${spent.body.challenge.id}' AND code_hmac IS NULL`),
    ).toBe(1);
    expect(counts.outbox).toBe(1);
    expect(await scalar(`SELECT COUNT(*) FROM outbox_message WHERE challenge_id = '${live.challengeId}'`)).toBe(1);
    expect(counts.tokens).toBe(1);
    expect(
      (await t.admin('POST', '/tokens/introspect', { token: good.body.auth_token }, 'sandbox-rs-key')).body.active,
    ).toBe(true);
    expect(
      (await t.admin('POST', '/tokens/introspect', { token: stale.body.auth_token }, 'sandbox-rs-key')).body.active,
    ).toBe(false);
    expect(await scalar(`SELECT COUNT(*) FROM login_guard WHERE username_norm = 'idle-stranger'`)).toBe(0);
    expect(await scalar(`SELECT failures FROM login_guard WHERE username_norm = 'user_kba'`)).toBe(1);
    // The staff lock is the person's, on the user row: the purge leaves it, and the login is still refused.
    expect(
      await scalar(`SELECT COUNT(*) FROM users WHERE username_norm = 'user_locked' AND locked_until > ${Date.now()}`),
    ).toBe(1);
    expect((await t.login('user_locked')).status).toBe(403);
    // The live challenge still completes.
    const code = await t.outboxCode('+14155550123');
    expect((await t.twoFactor(live.userId, { challenge_id: live.challengeId, passcode: code! })).status).toBe(200);
  });

  it('run by several replicas at once, it deletes each row once and fails nowhere', async () => {
    const job = t.px.app.get(PurgeJob);
    const olds = await Promise.all([t.login('user_totp'), t.login('user_totp')]);
    for (const o of olds)
      await ds.query(
        `UPDATE challenge SET expires_at = ${Date.now() - 2 * 3_600_000} WHERE id = '${o.body.challenge.id}'`,
      );
    const runs = await Promise.all([job.runOnce(), job.runOnce(), job.runOnce()]);
    expect(runs.reduce((n, r) => n + r.challenges, 0)).toBe(2);
    expect(await scalar(`SELECT COUNT(*) FROM challenge WHERE expires_at < ${Date.now() - 3_600_000}`)).toBe(0);
  });
});
