import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KEYS, TestApp } from './support/harness';
import { openChromium } from './support/chromium';
import { FakeTwilio, liveTwilioEnv, twilioError } from './support/fake-twilio';

/**
 * docs/console.md, "Banners" and "Dates and time zone", in real headless Chromium with a Spanish browser:
 * the maintenance banner with its time in CONSOLE_TIMEZONE, and the banner of a text-message channel
 * whose breaker a failing Twilio opened. SQLite only (jest.config.js): console-banners.e2e-spec.ts runs both engines.
 */
const ZONE = 'America/New_York';
// PXAUTH_CONSOLE_BANNER_SCREENSHOT=docs/console-banner.png saves the text-message banner, for docs/console.md.
const SCREENSHOT = process.env.PXAUTH_CONSOLE_BANNER_SCREENSHOT ?? join(tmpdir(), 'pxauth-console-banner.png');

describe('console banners in Chromium', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let browser: Awaited<ReturnType<typeof openChromium>>;
  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start({
      ...liveTwilioEnv(fake),
      DELIVERY_BREAKER_FAILURES: '1',
      DELIVERY_BREAKER_COOLDOWN: '1h',
      CONSOLE_TIMEZONE: ZONE,
    });
    browser = await openChromium({ locale: 'es-ES' });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await fake?.stop();
  });

  it('shows a Spanish reader the maintenance banner in the zone, then a text-message banner, then none', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${t.px.internalUrl}/console/login`);
    await page.locator('#key').fill(KEYS.support);
    await Promise.all([page.waitForURL('**/console/users'), page.keyboard.press('Enter')]);
    const banners = page.getByRole('region', { name: 'Avisos del servicio' });
    expect(await banners.count()).toBe(0);

    // 17:30 UTC on 15 January is 12:30 in New York (EST, UTC-5).
    await t.admin('PUT', '/admin/maintenance', { enabled: true, retry_at: '2030-01-15T17:30:00.000Z' });
    await page.reload();
    const maintenance = banners.getByRole('status').filter({ hasText: 'modo de mantenimiento' });
    await maintenance.waitFor();
    expect(await maintenance.innerText()).toContain(`vuelva a intentarlo a las 15 ene 2030, 12:30:00 ${ZONE}`);
    await t.admin('PUT', '/admin/maintenance', { enabled: false });

    const u = await t.createUser('bnb', { phone: '+14155550189' });
    const a = await t.login(u.username, u.password);
    const sms = a.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    fake.answerNext(twilioError(500, 20500, 'Internal Server Error'));
    expect((await t.sendOtp(u.userId, a.body.challenge.id, sms.id)).status).toBe(503);
    await page.reload();
    const texts = banners.getByRole('status');
    expect(await texts.count()).toBe(1);
    expect(await texts.innerText()).toContain('Los mensajes de texto fallan en el proveedor');
    expect(await texts.innerText()).toContain('Según lo ve esta réplica');
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.setViewportSize({ width: 900, height: 600 });
    expect((await page.screenshot({ path: SCREENSHOT })).length).toBeGreaterThan(10_000);
    await page.close();
  });
});
