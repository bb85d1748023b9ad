import { FakeTwilio, twilioError } from './support/fake-twilio';
import { TestApp, TestUser, expectEnvelope } from './support/harness';

/**
 * docs/api.md#post-usersuser_idsendotp, OTP_DELIVERY=live with Twilio: the real twilio SDK against a local server
 * reached through TWILIO_API_URL. What arrived is checked field by field, the code is read from it and
 * completes 2fa; then each kind of failure Twilio can give, and what Plaid is answered.
 */
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-auth-token-not-for-logs';
const FROM = '+14155550100';
const BANK = 'First Example Bank';

const live = (fake: FakeTwilio, extra: Record<string, string> = {}) => ({
  OTP_DELIVERY: 'live',
  INSTITUTION_NAME: BANK,
  TWILIO_API_URL: fake.url,
  TWILIO_ACCOUNT_SID: SID,
  TWILIO_AUTH_TOKEN: TOKEN,
  DELIVERY_TIMEOUT: '1s',
  OTP_RESEND_INTERVAL: '0',
  OTP_MAX_SENDS: '2',
  ...extra,
});

const codeIn = (text: string) => text.match(/\b\d(?: ?\d){5}\b/)![0].replace(/ /g, '');

describe('live delivery through Twilio', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start(live(fake, { TWILIO_FROM: FROM }));
  });
  afterAll(async () => {
    await t.stop();
    await fake.stop();
  });

  const userIds: string[] = [];
  /** A user of this test alone with a phone given as people write it, logged in, by method type. */
  async function challenge(phone: string, headers: Record<string, string> = {}) {
    const u: TestUser = await t.createUser('tw', { phone, email: 'tw@example.com' });
    userIds.push(u.userId);
    const a = await t.login(u.username, u.password, {}, headers);
    expect(a.status).toBe(202);
    const byType = Object.fromEntries(
      a.body.challenge.send_methods.map((m: { type: string; id: string }) => [m.type, m.id]),
    ) as Record<string, string>;
    return { u, id: a.body.challenge.id as string, byType, methods: a.body.challenge.send_methods };
  }
  const send = (c: Awaited<ReturnType<typeof challenge>>, type: string) => t.sendOtp(c.u.userId, c.id, c.byType[type]);
  const twoFa = (c: Awaited<ReturnType<typeof challenge>>, passcode: string) =>
    t.twoFactor(c.u.userId, { challenge_id: c.id, passcode });

  it('sends the SMS Twilio documents, and its code completes 2fa', async () => {
    const c = await challenge('+1 (415) 555-0177');
    // No SMTP settings: email is not offered although the user has an address.
    expect(c.methods).toEqual([
      { id: expect.any(String), type: 'sms', mask: '(***) ***-0177' },
      { id: expect.any(String), type: 'voice', mask: '(***) ***-0177' },
    ]);
    expect((await send(c, 'sms')).status).toBe(200);
    const r = fake.last;
    expect(r).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${SID}/Messages.json`,
      user: SID,
      pass: TOKEN,
      form: { To: '+14155550177', From: FROM, Body: expect.stringContaining(BANK) },
    });
    expect(r.form.Body).toMatch(/expires in 5 minutes/);
    expect(r.form.Body).not.toMatch(/https?:|www\./);
    expect((await twoFa(c, codeIn(r.form.Body))).status).toBe(200);
    expect((await t.events(c.u.userId)).find((e) => e.type === 'otp_send')).toMatchObject({ outcome: 'sent' });
  });

  it('calls with TwiML that reads the digits twice, in Spanish for a Spanish login', async () => {
    const c = await challenge('+14155550178', { 'Accept-Language': 'es-MX,es;q=0.9' });
    expect((await send(c, 'voice')).status).toBe(200);
    const r = fake.last;
    expect(r).toMatchObject({
      path: `/2010-04-01/Accounts/${SID}/Calls.json`,
      form: { To: '+14155550178', From: FROM },
    });
    const twiml = r.form.Twiml;
    expect(twiml).toMatch(/^<\?xml[^>]*\?><Response><Say language="es-MX">[^<]*<\/Say><\/Response>$/);
    expect(twiml).toContain(BANK);
    const spoken = [...twiml.matchAll(/\b\d(?: \d){5}\b/g)].map((m) => m[0]);
    expect(spoken).toHaveLength(2);
    expect(spoken[0]).toBe(spoken[1]);
    expect(twiml).toMatch(/código/);
    expect((await twoFa(c, spoken[0].replace(/ /g, ''))).status).toBe(200);
  });

  it('21211: 400 SEND_METHOD_UNAVAILABLE, that method refused for the rest of the challenge, voice still offered', async () => {
    const c = await challenge('+14155550179');
    fake.answerNext(twilioError(400, 21211, "The 'To' number +14155550179 is not a valid phone number."));
    expectEnvelope(await send(c, 'sms'), 400, 'SEND_METHOD_UNAVAILABLE');
    const asked = fake.requests.length;
    expectEnvelope(await send(c, 'sms'), 400, 'SEND_METHOD_UNAVAILABLE');
    expect(fake.requests.length).toBe(asked);
    expect((await send(c, 'voice')).status).toBe(200);
    expect((await twoFa(c, codeIn(fake.last.form.Twiml))).status).toBe(200);
    const refused = (await t.events(c.u.userId)).filter((e) => e.outcome === 'provider_refused');
    // Newest first: the second refusal came from the challenge, without asking Twilio again.
    expect(refused.map((e) => e.detail)).toEqual([
      { challenge_id: c.id, method: 'sms', path: 'legacy', reason: 'refused_before' },
      { challenge_id: c.id, method: 'sms', path: 'legacy', reason: 'refused', provider_code: '21211' },
    ]);
  });

  it.each([
    ['a 500', { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } }, '20500'],
    ['a 429', twilioError(429, 20429, 'Too Many Requests'), '20429'],
  ])('%s: 503 with retry_at, and the send is not used up', async (_name, answer, code) => {
    const c = await challenge('+14155550180');
    fake.answerNext(answer);
    const r = await send(c, 'sms');
    expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
    expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(Date.now());
    expect(r.headers['retry-after']).toBeDefined();
    // OTP_MAX_SENDS=2: both sends are still there after the failure.
    expect((await send(c, 'sms')).status).toBe(200);
    expect((await send(c, 'sms')).status).toBe(200);
    expectEnvelope(await send(c, 'sms'), 400, 'SEND_LIMIT_REACHED');
    expect((await twoFa(c, codeIn(fake.last.form.Body))).status).toBe(200);
    const failed = (await t.events(c.u.userId)).find((e) => e.outcome === 'provider_failed')!;
    expect(failed.detail).toMatchObject({ method: 'sms', provider_code: code });
  });

  it('hangs past DELIVERY_TIMEOUT: 503, the request is cut, and the code it carried is never valid', async () => {
    const c = await challenge('+14155550181');
    expect((await send(c, 'sms')).status).toBe(200);
    const first = codeIn(fake.last.form.Body);
    fake.answerNext('hang');
    const started = Date.now();
    expectEnvelope(await send(c, 'sms'), 503, 'SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
    const hung = fake.last;
    for (let i = 0; i < 50 && !hung.aborted; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hung.aborted).toBe(true);
    const late = codeIn(hung.form.Body);
    expect(late).not.toBe(first);
    expectEnvelope(await twoFa(c, late), 401, 'INVALID_MFA');
    expect((await twoFa(c, first)).status).toBe(200);
    const failed = (await t.events(c.u.userId)).find((e) => e.outcome === 'provider_failed')!;
    expect(failed.detail).toMatchObject({ method: 'sms', reason: 'timeout' });
  });

  it('keeps the auth token and whole numbers out of every log line and audit event', async () => {
    const logs = t.logs.join('');
    expect(logs).not.toContain(TOKEN);
    for (const n of ['4155550177', '4155550178', '4155550179', '4155550180', '4155550181']) {
      expect(logs).not.toContain(n);
    }
    const events = JSON.stringify(await Promise.all(userIds.map((id) => t.events(id))));
    expect(events).toContain('provider_refused');
    expect(events).not.toContain(TOKEN);
    expect(events).not.toMatch(/41555501\d\d/);
  });
});

describe('live delivery through a Twilio Messaging Service, without TWILIO_FROM', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  const SERVICE = `MG${'fedcba9876543210'.repeat(2)}`;
  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start(live(fake, { TWILIO_MESSAGING_SERVICE_SID: SERVICE }));
  });
  afterAll(async () => {
    await t.stop();
    await fake.stop();
  });

  it('sends SMS with MessagingServiceSid and no From, and offers no voice (a call needs a number)', async () => {
    const u = await t.createUser('mg', { phone: '+14155550182' });
    const a = await t.login(u.username, u.password);
    expect(a.body.challenge.send_methods.map((m: { type: string }) => m.type)).toEqual(['sms']);
    expect((await t.sendOtp(u.userId, a.body.challenge.id, a.body.challenge.send_methods[0].id)).status).toBe(200);
    expect(fake.last.form).toEqual({ To: '+14155550182', MessagingServiceSid: SERVICE, Body: expect.any(String) });
    const passcode = codeIn(fake.last.form.Body);
    expect((await t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode })).status).toBe(200);
  });
});
