import { Client } from 'pg';
import { TestApp, expectEnvelope } from '../support/harness';

/**
 * docs/api.md#post-usersuser_idsendotp: a delivery past DELIVERY_TIMEOUT is a 503 that uses no send, the delivery is
 * aborted, and the code it carried is never valid, even when the message arrives after all. The slow
 * provider here is the sandbox outbox itself, held up by a lock on its table from another connection.
 */
describe('a delivery past DELIVERY_TIMEOUT (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ DELIVERY_TIMEOUT: '500ms', OTP_RESEND_INTERVAL: '0' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 503 with retry_at, gives the send back, and its code stays invalid when it lands late', async () => {
    const phone = '+14155550142';
    const u = await t.createUser('slow', { phone });
    const a = await t.login(u.username, u.password);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(200);
    const first = (await t.outboxCode(phone))!;

    const blocker = new Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    let late: string | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE outbox_message IN ACCESS EXCLUSIVE MODE');
      const slow = await t.sendOtp(u.userId, a.body.challenge.id, sms.id);
      expectEnvelope(slow, 503, 'SERVICE_UNAVAILABLE');
      expect(Date.parse(slow.body.error.retry_at)).toBeGreaterThan(Date.now());
      await blocker.query('COMMIT');
      // The held-up write lands now: the provider "delivered" after pxauth gave up on it.
      for (let i = 0; i < 50 && (late === undefined || late === first); i++) {
        late = await t.outboxCode(phone);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await blocker.end();
    }
    expect(late).toMatch(/^\d{6}$/);
    expect(late).not.toBe(first);
    expectEnvelope(
      await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: late! }),
      401,
      'INVALID_MFA',
    );
    expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: first })).status).toBe(200);

    const sends = (await t.events(u.userId)).filter((e) => e.type === 'otp_send').map((e) => e.outcome);
    expect(sends).toEqual(['provider_failed', 'sent']);
    const failed = (await t.events(u.userId)).find((e) => e.outcome === 'provider_failed')!;
    expect(failed.detail).toMatchObject({ reason: 'timeout', method: 'sms' });
  });
});
