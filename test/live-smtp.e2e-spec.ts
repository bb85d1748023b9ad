import { FakeSmtp } from './support/fake-smtp';
import { TestApp, expectEnvelope } from './support/harness';

/**
 * docs/api.md#post-usersuser_idsendotp, OTP_DELIVERY=live with email: nodemailer to a real SMTP server started here
 * (smtp-server), the message read back with mailparser; plain, then STARTTLS with auth; then the
 * server refusing the recipient, and the server down.
 */
const BANK = 'Banco de Ejemplo';
const MAIL_FROM = 'Example Bank <no-reply@bank.example>';

const live = (url: string) => ({
  OTP_DELIVERY: 'live',
  INSTITUTION_NAME: BANK,
  SMTP_URL: url,
  MAIL_FROM,
  DELIVERY_TIMEOUT: '2s',
  OTP_RESEND_INTERVAL: '0',
});

const codeIn = (text: string) => text.match(/\b\d{6}\b/)![0];

async function emailChallenge(t: TestApp, email: string, headers: Record<string, string> = {}) {
  const u = await t.createUser('mail', { email, phone: '+14155550190' });
  const a = await t.login(u.username, u.password, {}, headers);
  expect(a.status).toBe(202);
  // No Twilio settings: the phone gives no method; only email is offered.
  expect(a.body.challenge.send_methods).toEqual([{ id: expect.any(String), type: 'email', mask: 'm****@e****.com' }]);
  const id = a.body.challenge.id as string;
  return {
    u,
    send: () => t.sendOtp(u.userId, id, a.body.challenge.send_methods[0].id),
    twoFa: (passcode: string) => t.twoFactor(u.userId, { challenge_id: id, passcode }),
  };
}

describe('live delivery by email, plain SMTP', () => {
  let smtp: FakeSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await FakeSmtp.start({ starttls: false, refuse: ['mailbox-gone@example.com'] });
    t = await TestApp.start(live(`smtp://127.0.0.1:${smtp.port}`));
  });
  afterAll(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('sends a plain-text and an HTML part from MAIL_FROM, and the code completes 2fa', async () => {
    const c = await emailChallenge(t, 'mail-plain@example.com');
    expect((await c.send()).status).toBe(200);
    const m = smtp.last;
    expect(m).toMatchObject({
      from: 'no-reply@bank.example',
      to: ['mail-plain@example.com'],
      secure: false,
      headerFrom: MAIL_FROM.replace('Example Bank', '"Example Bank"'),
      subject: `Your ${BANK} verification code`,
      autoSubmitted: 'auto-generated',
    });
    const code = codeIn(m.text);
    expect(m.text).toMatch(/expires in 5 minutes/);
    expect(m.html).toContain(`<b>${code}</b>`);
    expect(`${m.text}${m.html}`).not.toMatch(/https?:|<a\b|www\./);
    expect((await c.twoFa(code)).status).toBe(200);
  });

  it('writes in Spanish for a Spanish login', async () => {
    const c = await emailChallenge(t, 'mail-es@example.com', { 'Accept-Language': 'es' });
    expect((await c.send()).status).toBe(200);
    expect(smtp.last.subject).toBe(`Su código de verificación de ${BANK}`);
    expect(smtp.last.text).toMatch(/Caduca en 5 minutos/);
    expect((await c.twoFa(codeIn(smtp.last.text))).status).toBe(200);
  });

  it('a recipient refused with 550: 400 SEND_METHOD_UNAVAILABLE, and an audit event with the reply code', async () => {
    const c = await emailChallenge(t, 'mailbox-gone@example.com');
    const before = smtp.received.length;
    expectEnvelope(await c.send(), 400, 'SEND_METHOD_UNAVAILABLE');
    expectEnvelope(await c.send(), 400, 'SEND_METHOD_UNAVAILABLE');
    expect(smtp.received.length).toBe(before);
    const refused = (await t.events(c.u.userId)).find((e) => e.detail?.provider_code)!;
    expect(refused).toMatchObject({ outcome: 'provider_refused', detail: { reason: 'refused', provider_code: '550' } });
    expect(JSON.stringify(await t.events(c.u.userId))).not.toContain('mailbox-gone');
  });

  it('the server down: 503 with retry_at, and the send is not used up', async () => {
    const c = await emailChallenge(t, 'mail-down@example.com');
    await smtp.stop();
    const r = await c.send();
    expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
    expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(Date.now());
    const failed = (await t.events(c.u.userId)).find((e) => e.outcome === 'provider_failed')!;
    expect(failed.detail).toMatchObject({ method: 'email', reason: 'unreachable', provider_code: 'ESOCKET' });
    expectEnvelope(await c.twoFa('000000'), 400, 'OTP_NOT_SENT');
  });
});

describe('live delivery by email, STARTTLS and auth', () => {
  let smtp: FakeSmtp;
  let t: TestApp;
  const PASS = 'smtp-pass-not-for-logs';
  beforeAll(async () => {
    smtp = await FakeSmtp.start({ starttls: true, credentials: { user: 'pxauth', pass: PASS } });
    // The test server's certificate is smtp-server's self-signed one: nodemailer's URL options say so.
    t = await TestApp.start(live(`smtp://pxauth:${PASS}@127.0.0.1:${smtp.port}/?tls.rejectUnauthorized=false`));
  });
  afterAll(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('upgrades with STARTTLS, logs in, delivers, and the code completes 2fa; the password is in no log', async () => {
    const c = await emailChallenge(t, 'mail-tls@example.com');
    expect((await c.send()).status).toBe(200);
    expect(smtp.last).toMatchObject({ secure: true, user: 'pxauth', to: ['mail-tls@example.com'] });
    expect((await c.twoFa(codeIn(smtp.last.text))).status).toBe(200);
    const logs = t.logs.join('');
    expect(logs).not.toContain(PASS);
    expect(logs).not.toContain('mail-tls@example.com');
  });
});

describe('live delivery by email, smtps:// (TLS from the first byte)', () => {
  let smtp: FakeSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await FakeSmtp.start({ starttls: false, implicitTls: true, credentials: { user: 'px', pass: 'tls-pass' } });
    t = await TestApp.start(live(`smtps://px:tls-pass@127.0.0.1:${smtp.port}/?tls.rejectUnauthorized=false`));
  });
  afterAll(async () => {
    await t.stop();
    await smtp.stop();
  });

  it('delivers over TLS with auth, and the code completes 2fa', async () => {
    const c = await emailChallenge(t, 'mail-smtps@example.com');
    expect((await c.send()).status).toBe(200);
    expect(smtp.last).toMatchObject({ secure: true, user: 'px', to: ['mail-smtps@example.com'] });
    expect((await c.twoFa(codeIn(smtp.last.text))).status).toBe(200);
  });
});
