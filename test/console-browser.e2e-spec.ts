/// <reference lib="dom" />
// The functions passed to page.evaluate run in Chromium: they see the DOM, not Node.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BrowserContext, Page } from 'playwright-core';
import { KEYS, PASSWORD, TestApp, TestUser } from './support/harness';
import { openChromium } from './support/chromium';

/**
 * The support console in real headless Chromium, as the person at the help desk uses it:
 * keyboard, a phone-sized screen, nothing loaded from outside. SQLite only (jest.config.js): the
 * routes themselves run on both engines in console.e2e-spec.ts.
 */
const SCREENSHOT = process.env.PXAUTH_CONSOLE_SCREENSHOT ?? join(tmpdir(), 'pxauth-console-customer.png');
const PHONE = { width: 390, height: 844 };

describe('support console in Chromium', () => {
  let t: TestApp;
  let browser: Awaited<ReturnType<typeof openChromium>>;
  let context: BrowserContext;
  const outside: string[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    browser = await openChromium({ viewport: PHONE, locale: 'en-US' });
    context = browser.context;
    context.on('request', (r) => {
      if (!r.url().startsWith(t.px.internalUrl) && !r.url().startsWith('data:')) outside.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const lockedByFailures = async (fields: Record<string, unknown> = {}): Promise<TestUser> => {
    const u = await t.createUser('browser', fields, PASSWORD);
    for (let i = 0; i < 5; i++) expect((await t.login(u.username, `wrong-${i}`)).status).toBe(401);
    expect((await t.login(u.username)).status).toBe(403);
    return u;
  };

  /** Signs in with the keyboard alone: the key field has the focus, Enter submits. */
  const signIn = async (page: Page, key: string, base = t.px.internalUrl) => {
    await page.context().clearCookies();
    await page.goto(`${base}/console`);
    await page.locator('#key:focus').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.keyboard.type(key);
    await Promise.all([page.waitForURL('**/console/users'), page.keyboard.press('Enter')]);
  };

  /** No horizontal scrolling on a phone: everything fits the width. */
  const fitsThePhone = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

  it('signs in, finds a customer locked by five failed logins, sees the failures, unlocks with a reason', async () => {
    const u = await lockedByFailures();
    const page = await context.newPage();
    await signIn(page, KEYS.support);
    await page.getByLabel('Username or user ID').fill(u.username);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: u.username }).click();
    await page.waitForURL(`**/console/users/${u.userId}`);

    const lock = page.locator('#lock');
    await expect(
      lock.getByText(/^Yes\. This account has been locked since .+ UTC, until .+ UTC/).count(),
    ).resolves.toBe(1);
    await expect(lock.getByText('Why: too many failed attempts in a row.').count()).resolves.toBe(1);
    const failures = await lock.locator('table.failures tbody tr').allInnerTexts();
    expect(failures).toHaveLength(5);
    for (const row of failures) expect(row).toMatch(/UTC\s+Wrong password\s+(::ffff:)?127\.0\.0\.1/);
    expect(await fitsThePhone(page)).toBe(true);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 900, height: 900 });
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    expect((await page.screenshot({ path: SCREENSHOT, fullPage: true })).length).toBeGreaterThan(10_000);
    await page.setViewportSize(PHONE);

    // the keyboard alone: focus the Unlock control, open it, type the reason, confirm
    await page.locator('#unlock > summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Caller verified by the last four digits of her card');
    await Promise.all([page.waitForURL('**?done=unlock'), page.keyboard.press('Enter')]);
    await expect(page.getByText('Unlocked. The customer can sign in again.').count()).resolves.toBe(1);

    expect((await t.login(u.username)).status).toBe(200);
    await page.reload();
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline).toMatch(
      /Unlocked by staff · sandbox support[\s\S]*Caller verified by the last four digits of her card/,
    );
    expect(timeline).toContain('Access token issued to Plaid');
    expect(outside).toEqual([]);
    await page.close();
  });

  it('a support key sees no create-user or password control, and the server refuses them when forced', async () => {
    const u = await t.createUser('browser_sup', {}, PASSWORD);
    const page = await context.newPage();
    await signIn(page, KEYS.support);
    await expect(page.getByText('Create a customer').count()).resolves.toBe(0);
    await page.goto(`${t.px.internalUrl}/console/users/${u.userId}`);
    await expect(page.getByText('Set a new password').count()).resolves.toBe(0);
    await expect(
      page.locator('form[action$="/password"], form[action="/console/users"][method="post"]').count(),
    ).resolves.toBe(0);

    // forced: a form the page never offered, posted with the session's own CSRF token
    const force = (action: string, fields: Record<string, string>) =>
      Promise.all([
        page.waitForNavigation(),
        page.evaluate(
          ([action, fields]) => {
            const csrf = document.querySelector<HTMLInputElement>('input[name="_csrf"]')!.value;
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            for (const [name, value] of Object.entries({ ...fields, _csrf: csrf })) {
              const input = document.createElement('input');
              input.type = 'hidden';
              input.name = name;
              input.value = value;
              form.append(input);
            }
            document.body.append(form);
            form.submit();
          },
          [action, fields] as const,
        ),
      ]).then(([response]) => response!);
    const pw = await force(`/console/users/${u.userId}/password`, { password: 'taken-over', reason: 'forced' });
    expect(pw.status()).toBe(403);
    await expect(page.locator('[data-error-id="FORBIDDEN"]').count()).resolves.toBe(1);
    expect((await t.login(u.username, 'taken-over')).status).toBe(401);
    expect((await t.login(u.username)).status).toBe(200);
    const name = `browser_forced_${Date.now()}`;
    const create = await force('/console/users', { username: name, password: PASSWORD });
    expect(create.status()).toBe(403);
    expect((await t.admin('GET', `/admin/users?username=${name}`)).body.users).toEqual([]);
    await page.close();
  });

  it('refuses a change whose form lost its CSRF token, and the account stays locked', async () => {
    const u = await lockedByFailures();
    const page = await context.newPage();
    await signIn(page, KEYS.admin);
    await page.goto(`${t.px.internalUrl}/console/users/${u.userId}`);
    await page.locator('#unlock > summary').click();
    await page.locator('#unlock input[name="_csrf"]').evaluate((input) => input.remove());
    await page.locator('#unlock').getByLabel('Reason (kept in the audit trail)').fill('no token');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Confirm: Unlock' }).click(),
    ]);
    expect(response!.status()).toBe(403);
    await expect(page.getByText(/CSRF/).count()).resolves.toBe(1);
    expect((await t.admin('GET', `/admin/users/${u.userId}`)).body.lock.locked).toBe(true);
    expect((await t.login(u.username)).status).toBe(403);
    await page.close();
  });

  it('shows the console in Spanish to a Spanish browser, factors masked', async () => {
    const u = await lockedByFailures({ phone: '+14155550166' });
    const es = await openChromium({ viewport: PHONE, locale: 'es-ES' });
    try {
      const page = await es.context.newPage();
      await page.goto(`${t.px.internalUrl}/console/login`);
      await page.getByLabel('Clave de personal').fill(KEYS.support);
      await Promise.all([
        page.waitForURL('**/console/users'),
        page.getByRole('button', { name: 'Iniciar sesión' }).click(),
      ]);
      await page.goto(`${t.px.internalUrl}/console/users/${u.userId}`);
      await expect(page.getByText(/^Sí\. Esta cuenta está bloqueada desde el/).count()).resolves.toBe(1);
      await expect(page.getByRole('cell', { name: 'Contraseña incorrecta' }).count()).resolves.toBe(5);
      await expect(page.getByText('Teléfono (***) ***-0166 (SMS y voz)', { exact: true }).count()).resolves.toBe(1);
      expect(await page.content()).not.toContain('+14155550166');
      expect(await fitsThePhone(page)).toBe(true);
    } finally {
      await es.close();
    }
  });

  it('signs out a session left idle past CONSOLE_SESSION_TTL', async () => {
    const short = await TestApp.start({ CONSOLE_SESSION_TTL: '2s' });
    const b = await openChromium({ viewport: PHONE, locale: 'en-US' });
    try {
      const page = await b.context.newPage();
      await signIn(page, KEYS.support, short.px.internalUrl);
      await page.reload();
      expect(new URL(page.url()).pathname).toBe('/console/users');
      await new Promise((r) => setTimeout(r, 2_500));
      await page.reload();
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await expect(page.getByText('You were signed out after 2 seconds without activity.').count()).resolves.toBe(1);
    } finally {
      await b.close();
      await short.stop();
    }
  });
});
