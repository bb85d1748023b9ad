import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openChromium } from './support/chromium';
import { FakeTwilio, liveTwilioEnv, twilioError } from './support/fake-twilio';
import { KEYS, PASSWORD, TestApp, expectEnvelope } from './support/harness';

/**
 * docs/console.md, "The timeline", in real headless Chromium: a number Twilio refuses (21614, through the
 * real twilio SDK against the fake Twilio server) is read on the customer page in plain words, with the
 * code and what to do next, and the Older and Newer links page through the rest. SQLite only
 * (jest.config.js): test/console-timeline.e2e-spec.ts runs the same pages on both engines.
 */
// PXAUTH_CONSOLE_TIMELINE_SCREENSHOT=docs/console-timeline.png saves the refusal as read, for docs/console.md.
const SCREENSHOT = process.env.PXAUTH_CONSOLE_TIMELINE_SCREENSHOT ?? join(tmpdir(), 'pxauth-console-timeline.png');

describe('the customer timeline in Chromium', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let browser: Awaited<ReturnType<typeof openChromium>>;
  let context: BrowserContext;
  const outside: string[] = [];

  beforeAll(async () => {
    fake = await FakeTwilio.start();
    t = await TestApp.start({
      ...liveTwilioEnv(fake),
    });
    browser = await openChromium({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    context = browser.context;
    context.on('request', (r) => {
      if (!r.url().startsWith(t.px.internalUrl) && !r.url().startsWith('data:')) outside.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await fake?.stop();
  });

  const signIn = async (page: Page, key: string) => {
    await page.goto(`${t.px.internalUrl}/console`);
    await page.locator('#key:focus').waitFor();
    await page.keyboard.type(key);
    await Promise.all([page.waitForURL('**/console/users'), page.keyboard.press('Enter')]);
  };

  it('reads a refused number in words with its code and next step, and pages to older events and back', async () => {
    const u = await t.createUser('tl_browser', { phone: '+14155550193' }, PASSWORD);
    // Older events first, so that the refusal is on the first page and the creation two pages down.
    for (let i = 0; i < 60; i++) expect((await t.admin('POST', `/admin/users/${u.userId}/unlock`)).status).toBe(200);
    const login = await t.login(u.username);
    const sms = login.body.challenge.send_methods.find((m: { type: string }) => m.type === 'sms');
    fake.answerNext(twilioError(400, 21614, "'To' number +14155550193 is not a valid mobile number"));
    expectEnvelope(await t.sendOtp(u.userId, login.body.challenge.id, sms.id), 400, 'SEND_METHOD_UNAVAILABLE');

    const page = await context.newPage();
    await signIn(page, KEYS.support);
    await page.getByLabel('Username or user ID').fill(u.username);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: u.username }).click();
    await page.waitForURL(`**/console/users/${u.userId}`);

    const timeline = page.locator('#timeline');
    const refused = timeline.locator('li').filter({ hasText: 'Passcode (sms) refused by the provider' });
    await expect(refused.count()).resolves.toBe(1);
    const said = await refused.innerText();
    expect(said).toContain('Twilio 21614: not a mobile number');
    expect(said).toContain('Next: Not a mobile number: ask for another phone, or offer email.');
    expect(said).toContain('Plaid API (legacy)');
    expect(said).toContain('client Plaid (sandbox), id sandbox-client');
    expect(said).not.toContain('+14155550193');
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.setViewportSize({ width: 900, height: 900 });
    await refused.scrollIntoViewIfNeeded();
    expect((await page.screenshot({ path: SCREENSHOT })).length).toBeGreaterThan(10_000);
    await expect(timeline.getByText('Newest first, 50 to a page.').count()).resolves.toBe(1);
    await expect(timeline.getByRole('link', { name: 'Newer events' }).count()).resolves.toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    const firstPage = await timeline.locator('li').allInnerTexts();
    expect(firstPage).toHaveLength(50);

    // Older, by the keyboard: the link is focusable and Enter follows it.
    await timeline.getByRole('link', { name: 'Older events' }).focus();
    await Promise.all([page.waitForURL(/cursor=/), page.keyboard.press('Enter')]);
    const secondPage = await page.locator('#timeline li').allInnerTexts();
    // 63 in all: the creation, 60 unlocks, the login's challenge and the refusal.
    expect(secondPage).toHaveLength(13);
    expect(secondPage.slice(0, -1).every((e) => e.includes('Unlocked by staff · sandbox admin'))).toBe(true);
    expect(secondPage[secondPage.length - 1]).toContain('Customer created');
    await expect(page.locator('#timeline').getByText('Passcode (sms) refused by the provider').count()).resolves.toBe(
      0,
    );
    await expect(page.locator('#timeline').getByRole('link', { name: 'Older events' }).count()).resolves.toBe(0);

    await Promise.all([
      page.waitForURL(/cursor=/),
      page.locator('#timeline').getByRole('link', { name: 'Newer events' }).click(),
    ]);
    expect(await page.locator('#timeline li').allInnerTexts()).toEqual(firstPage);
    expect(outside).toEqual([]);
    await page.close();
  });
});
