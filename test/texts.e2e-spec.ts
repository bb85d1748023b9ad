import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSmtp } from './support/fake-smtp';
import { FakeTwilio } from './support/fake-twilio';
import { TestApp, expectEnvelope } from './support/harness';
import { Browser } from './support/oauth';

/**
 * docs/texts.md: a bank's TEXTS_DIR reworded over the defaults, as a customer meets it: the OAuth
 * sign-in page, the SMS Twilio is asked to send (with its code, which completes 2fa), and the HTML of
 * the passcode email from the bank's own template, read back from a real SMTP server.
 */
const BANK = `O'Neill "First" Bank`;
const dir = mkdtempSync(join(tmpdir(), 'pxauth-texts-'));
writeFileSync(
  join(dir, 'en.json'),
  JSON.stringify({
    signin: { signInIntro: 'Use your Example Online login to link your account.' },
    passcode: { sms: '{{institution}} code {{code}}, valid {{lifetime}}. We never call to ask for it.' },
    api: {
      'error.INVALID_CREDENTIALS': 'That username and password do not match our records at Example Bank.',
      'notFound.user': 'No customer of Example Bank has this user_id.',
    },
  }),
);
writeFileSync(
  join(dir, 'es.json'),
  JSON.stringify({ signin: { signIn: 'Entrar' }, api: { 'error.INVALID_CREDENTIALS': 'Usuario o clave no válidos.' } }),
);
writeFileSync(
  join(dir, 'passcode-email.html.eta'),
  '<!doctype html><html lang="<%= it.lang %>"><body><h1 class="brand">Example Bank</h1>' +
    '<p><%= it.intro %></p><p class="code"><%= it.code %></p></body></html>',
);

describe('a bank own texts (TEXTS_DIR)', () => {
  let twilio: FakeTwilio;
  let smtp: FakeSmtp;
  let t: TestApp;
  beforeAll(async () => {
    twilio = await FakeTwilio.start();
    smtp = await FakeSmtp.start({ starttls: false });
    t = await TestApp.start({
      TEXTS_DIR: dir,
      OTP_DELIVERY: 'live',
      INSTITUTION_NAME: BANK,
      TWILIO_API_URL: twilio.url,
      TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
      TWILIO_AUTH_TOKEN: 'twilio-auth-token',
      TWILIO_FROM: '+14155550100',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'no-reply@bank.example',
      DELIVERY_TIMEOUT: '2s',
    });
  });
  afterAll(async () => {
    await t.stop();
    await smtp.stop();
    await twilio.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function challenge(type: 'sms' | 'email') {
    const u = await t.createUser('texts', { phone: '+14155550161', email: 'texts@example.com' });
    const a = await t.login(u.username, u.password);
    expect(a.status).toBe(202);
    const method = a.body.challenge.send_methods.find((m: { type: string }) => m.type === type) as { id: string };
    expect((await t.sendOtp(u.userId, a.body.challenge.id, method.id)).status).toBe(200);
    return (code: string) => t.twoFactor(u.userId, { challenge_id: a.body.challenge.id, passcode: code });
  }

  it("answers Plaid and staff with the bank's error messages; the ids, statuses and envelope stay", async () => {
    const wrong = await t.login('nobody_here', 'wrong-password');
    expectEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
    expect(wrong.body.error.message).toBe('That username and password do not match our records at Example Bank.');
    // Plaid relays the customer's language (Accept-Language): the Spanish override; unasked, English.
    const es = await t.login('nobody_here', 'wrong-password', {}, { 'Accept-Language': 'es' });
    expectEnvelope(es, 401, 'INVALID_CREDENTIALS');
    expect(es.body.error.message).toBe('Usuario o clave no válidos.');
    // A text the bank left alone keeps its default, in English and in Spanish.
    const version = await t.plaid(
      '/users/auth_token',
      { username: 'a', password: 'b' },
      { headers: { 'X-PLAID-VERSION': '1999-01-01' } },
    );
    expectEnvelope(version, 400, 'UNSUPPORTED_VERSION');
    expect(version.body.error.message).toBe('X-PLAID-VERSION must be one of 2021-03-26.');
    const missing = await t.admin('GET', '/admin/users/no-such-user-id');
    expectEnvelope(missing, 404, 'NOT_FOUND');
    expect(missing.body.error.message).toBe('No customer of Example Bank has this user_id.');
  });

  it('shows the overridden words on the sign-in page, and the defaults elsewhere', async () => {
    const en = await new Browser(t).authorize();
    expect(en.status).toBe(200);
    expect(en.text).toContain('Use your Example Online login to link your account.');
    expect(en.text).not.toContain('Sign in with your online banking username and password');
    expect(en.text).toContain('Username');
    const es = await new Browser(t, 'es').authorize();
    expect(es.text).toContain('Entrar');
    expect(es.text).toContain('Inicie sesión con su usuario y contraseña de banca en línea para conectar su cuenta.');
  });

  it('sends the overridden SMS with its code, which completes 2fa', async () => {
    const twoFa = await challenge('sms');
    const body = twilio.last.form.Body;
    const code = body.match(/code (\d{6}), valid 5 minutes\./)![1];
    expect(body).toBe(`${BANK} code ${code}, valid 5 minutes. We never call to ask for it.`);
    expect((await twoFa(code)).status).toBe(200);
  });

  it('builds the email HTML from the bank template, escaped, and keeps the plain-text part', async () => {
    const twoFa = await challenge('email');
    const m = smtp.last;
    const code = m.text.match(/\b\d{6}\b/)![0];
    expect(m.html).toBe(
      '<!doctype html><html lang="en"><body><h1 class="brand">Example Bank</h1>' +
        `<p>Your O&#39;Neill &#34;First&#34; Bank verification code is</p><p class="code">${code}</p></body></html>`,
    );
    expect(m.text).toContain(`Your ${BANK} verification code is ${code}.`);
    expect((await twoFa(code)).status).toBe(200);
  });
});
