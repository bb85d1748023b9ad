import { BankServer } from './support/bank-server';
import { ConsoleClient, textOf } from './support/console-client';
import { FakeTwilio, liveTwilioEnv, twilioError } from './support/fake-twilio';
import { KEYS, TestApp } from './support/harness';

/**
 * docs/console.md, "Banners" and "Dates and time zone": every console page says when maintenance mode
 * is on (read from the database) and when a passcode channel or the credential source has its breaker
 * open (this replica's view); no banner when all is well; dates in CONSOLE_TIMEZONE, in the reader's language.
 */
const ZONE = 'Europe/Madrid';
// 12:00 UTC on 15 January is 13:00 in Madrid (CET, UTC+1).
const RETRY_AT = '2030-01-15T12:00:00.000Z';

const banners = (html: string) => /<section class="banners"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe('console banners: maintenance and passcode channels', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let staff: ConsoleClient;
  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start({
      ...liveTwilioEnv(fake),
      OTP_RESEND_INTERVAL: '0',
      DELIVERY_BREAKER_FAILURES: '2',
      DELIVERY_BREAKER_COOLDOWN: '1h',
      CONSOLE_TIMEZONE: ZONE,
    });
    staff = await ConsoleClient.signedIn(t, KEYS.support);
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.stop();
  });

  it('shows no banner when all is well', async () => {
    const page = await staff.get('/console/users');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('class="banners"');
    expect(page.text).not.toContain('class="banner ');
  });

  it('shows maintenance on every page, its retry time in the zone and language, until it is turned off', async () => {
    const on = await t.admin('PUT', '/admin/maintenance', {
      enabled: true,
      retry_at: RETRY_AT,
      message: 'Core upgrade',
    });
    expect(on.status).toBe(200);
    for (const path of ['/console/users', '/console/users/locks', '/console/users/no-such-user']) {
      const text = textOf(banners((await staff.get(path)).text));
      expect(text).toContain(
        `Maintenance mode is on: Plaid is told the service is unavailable for every sign-in, and to retry at 15 Jan 2030, 13:00:00 ${ZONE}.`,
      );
      expect(text).toContain('No customer can link an account until it is turned off.');
      expect(text).toContain('The notice set with it: Core upgrade');
    }
    // Signed out too: the sign-in page carries it.
    const signIn = await new ConsoleClient(t).get('/console/login');
    expect(textOf(banners(signIn.text))).toContain('Maintenance mode is on');
    // In Spanish, with the date as Spanish readers write it, in the same zone.
    const es = await ConsoleClient.signedIn(t, KEYS.support, 'es');
    const spanish = textOf(banners((await es.get('/console/users')).text));
    expect(spanish).toContain(
      `El modo de mantenimiento está activado: a Plaid se le responde que el servicio no está disponible en cada inicio de sesión, y que vuelva a intentarlo a las 15 ene 2030, 13:00:00 ${ZONE}.`,
    );

    expect((await t.admin('PUT', '/admin/maintenance', { enabled: false })).status).toBe(200);
    expect((await staff.get('/console/users')).text).not.toContain('class="banners"');
  });

  it('shows a text-message banner, as this replica sees it, once Twilio has failed twice in a row', async () => {
    const u = await t.createUser('bn', { phone: '+14155550188' });
    const a = await t.login(u.username, u.password);
    expect(a.status).toBe(202);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    fake.answerNext(twilioError(500, 20500, 'Internal Server Error'), twilioError(503, 20503, 'Service Unavailable'));
    expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(503);
    // One failure is not a pattern: no banner yet.
    expect((await staff.get('/console/users')).text).not.toContain('class="banners"');
    expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(503);

    const text = textOf(banners((await staff.get('/console/users')).text));
    expect(text).toContain(
      'Text messages are failing at the provider: customers cannot get a passcode by SMS. Ask them to choose email or a voice call, if they have one.',
    );
    expect(text).toMatch(/As this replica \(.+, pid \d+\) sees it/);
    // Voice goes through Twilio as well, but it has not failed: no banner for it.
    expect(text).not.toContain('Voice calls are failing');
    // The breaker is open: the next send is refused at once, without calling Twilio.
    const calls = fake.requests.length;
    expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(503);
    expect(fake.requests.length).toBe(calls);
    // The customer page shows the dates of the failed sends in the console's zone.
    const customer = textOf((await staff.get(`/console/users/${u.userId}`)).text);
    expect(customer).toMatch(new RegExp(`\\d{2}:\\d{2}:\\d{2} ${ZONE}`));
    expect(customer).not.toMatch(/\d{2}:\d{2}:\d{2} UTC/);
  });
});

describe('console banners: the credential source', () => {
  const bank = new BankServer('bank-hmac-key-for-the-banner-test-0123456789');
  let t: TestApp;
  beforeAll(async () => {
    await bank.start();
    bank.users.set('alice', { password: 'alice-pw', reference: 'cust-1001' });
    t = await TestApp.start({
      CREDENTIAL_SOURCE: 'http',
      UPSTREAM_VERIFY_URL: bank.url,
      UPSTREAM_HMAC_KEY: bank.key,
      UPSTREAM_BREAKER_FAILURES: '2',
      UPSTREAM_BREAKER_COOLDOWN: '1h',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await bank.stop();
  });

  it("says the bank's login system is not answering once its breaker opens, and in Spanish", async () => {
    const staff = await ConsoleClient.signedIn(t, KEYS.support);
    expect((await t.login('alice', 'alice-pw')).status).toBe(200);
    expect((await staff.get('/console/users')).text).not.toContain('class="banners"');
    bank.mode = 'error_500';
    expect((await t.login('alice', 'alice-pw')).status).toBe(503);
    expect((await t.login('alice', 'alice-pw')).status).toBe(503);
    const text = textOf(banners((await staff.get('/console/users')).text));
    expect(text).toContain(
      "The bank's login system is not answering: customers whose password it checks cannot sign in through Plaid right now.",
    );
    expect(text).not.toContain('Text messages are failing');
    const es = await ConsoleClient.signedIn(t, KEYS.support, 'es');
    expect(textOf(banners((await es.get('/console/users')).text))).toContain(
      'El sistema de acceso del banco no responde',
    );
  });
});

describe('CONSOLE_TIMEZONE', () => {
  it('refuses to start with a name that is not a time zone, saying which setting and what it takes', async () => {
    await expect(TestApp.start({ CONSOLE_TIMEZONE: 'Mars/Olympus' })).rejects.toThrow(
      'CONSOLE_TIMEZONE must be an IANA time zone such as UTC or Europe/Madrid',
    );
    await expect(TestApp.start({ CONSOLE_TIMEZONE: '+01:00' })).rejects.toThrow(/CONSOLE_TIMEZONE must be an IANA/);
  });
});
