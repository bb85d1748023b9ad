/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { TestApp } from './support/harness';
import { openChromium } from './support/chromium';
import { TestProvider, freePort, oidcEnv } from './support/oidc-provider';

/**
 * Console sign-in through the bank's OpenID Connect provider in real headless Chromium: the trip to the
 * provider (on `localhost`, another site) and back is cross-site, as with Okta or Entra ID, so the
 * cookies' SameSite rules are the browser's own. SQLite only (jest.config.js): the routes run on both
 * engines in console-oidc.e2e-spec.ts.
 */
describe('console sign-in through OpenID Connect in Chromium', () => {
  let t: TestApp;
  let op: TestProvider;
  let browser: Awaited<ReturnType<typeof openChromium>>;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    op = await TestProvider.start({ ana: { name: 'Ana Ruiz', groups: ['helpdesk'] } }, base);
    t = await TestApp.start(oidcEnv(op.issuer, port));
    browser = await openChromium({ locale: 'en-US' });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await op?.stop();
  });

  const signedInAs = (page: Page) => page.locator('.who span').innerText();

  it('signs in at the provider and back, uses the console, and signs out there too', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await Promise.all([
      page.waitForURL(`${op.issuer}/interaction/**`),
      page.getByText('Sign in with your bank account').click(),
    ]);
    await page.getByLabel('Account').fill('ana');
    await Promise.all([page.waitForURL(`${base}/console/users`), page.keyboard.press('Enter')]);
    expect(await signedInAs(page)).toBe('Signed in as Ana Ruiz (support)');
    await page.getByLabel('Username or user ID').fill('user_good');
    await Promise.all([page.waitForURL('**/console/users?**'), page.keyboard.press('Enter')]);
    expect(await signedInAs(page)).toBe('Signed in as Ana Ruiz (support)');

    await Promise.all([
      page.waitForURL(`${op.issuer}/session/end**`),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await Promise.all([
      page.waitForURL(`${base}/console/login?out=1`),
      page.getByRole('button', { name: 'Sign out of the provider' }).click(),
    ]);
    await expect(page.getByText('You are signed out.').count()).resolves.toBe(1);
    await page.goto(`${base}/console/users`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });
});
