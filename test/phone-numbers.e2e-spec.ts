import { TestApp, expectEnvelope } from './support/harness';

/**
 * Phone numbers enter through the admin API (and the CLI, with the same DTO) as people write
 * them, are validated with libphonenumber-js, and are stored as E.164, the form Twilio dials. The
 * stored form is what the sandbox outbox shows as `to`.
 */
describe('phone numbers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ OTP_RESEND_INTERVAL: '0' });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function storedPhone(userId: string, username: string, password: string): Promise<string> {
    const a = await t.login(username, password);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    expect((await t.sendOtp(userId, a.body.challenge.id, sms.id)).status).toBe(200);
    const box = await t.admin('GET', '/admin/outbox');
    return box.body.messages.find((m: { channel: string }) => m.channel === 'sms').to as string;
  }

  it('stores a number written with spaces, dashes and brackets as E.164, on create and on change', async () => {
    const u = await t.createUser('ph', { phone: '+1 (415) 555-0161' });
    expect(u.created.body.factors.otp.map((m: { mask: string }) => m.mask)).toEqual([
      '(***) ***-0161',
      '(***) ***-0161',
    ]);
    expect(await storedPhone(u.userId, u.username, u.password)).toBe('+14155550161');
    const changed = await t.admin('PATCH', `/admin/users/${u.userId}`, { phone: '+44 20 7946 0162' });
    expect(changed.status).toBe(200);
    expect(await storedPhone(u.userId, u.username, u.password)).toBe('+442079460162');
  });

  it.each([
    ['does not exist', '+15555550100'],
    ['has no country code', '(415) 555-0163'],
    ['spells letters', '+1 415 CALL ME'],
  ])('refuses a number that %s with 400 naming phone, on create and on change', async (_name, phone) => {
    const r = await t.admin('POST', '/admin/users', { username: `ph_bad_${Date.now()}`, password: 'x', phone });
    expectEnvelope(r, 400, 'INVALID_REQUEST');
    expect(r.body.error.message).toMatch(/phone: must be an E\.164 number/);
    const u = await t.createUser('ph_keep', { phone: '+14155550164' });
    expectEnvelope(await t.admin('PATCH', `/admin/users/${u.userId}`, { phone }), 400, 'INVALID_REQUEST');
    expect(await storedPhone(u.userId, u.username, u.password)).toBe('+14155550164');
  });
});
