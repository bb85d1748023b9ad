import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BrowserContext, Page } from 'playwright-core';
import { KEYS, TestApp } from './support/harness';
import { openChromium } from './support/chromium';

/**
 * docs/console.md, "Finding a customer" and "Recent locks", in headless Chromium: each kind of input,
 * the locks list, and the pages. SQLite only (jest.config.js): the admin API under it runs on both
 * engines in user-search.e2e-spec.ts.
 */
const SCREENSHOT = process.env.PXAUTH_CONSOLE_LOCKS_SCREENSHOT ?? join(tmpdir(), 'pxauth-console-locks.png');
const run = Math.random().toString(36).slice(2, 7);

describe('console search and recent locks in Chromium', () => {
  let t: TestApp;
  let browser: Awaited<ReturnType<typeof openChromium>>;
  let context: BrowserContext;
  let page: Page;

  const make = async (username: string, fields: Record<string, unknown> = {}) => {
    const r = await t.admin('POST', '/admin/users', { username, password: 'correct horse battery', ...fields });
    expect(r.status).toBe(201);
    return { id: r.body.user_id as string, requestId: r.headers['x-request-id'] };
  };
  const find = async (q: string) => {
    await page.goto(`${t.px.internalUrl}/console/users`);
    await page.getByLabel('Username or user ID').fill(q);
    await Promise.all([page.waitForURL('**/console/users?q=**'), page.keyboard.press('Enter')]);
    return {
      as: await page.locator('#interpretation').innerText(),
      names: await page.locator('ul.results li strong').allInnerTexts(),
    };
  };

  beforeAll(async () => {
    t = await TestApp.start();
    browser = await openChromium({ viewport: { width: 900, height: 900 }, locale: 'en-US' });
    context = browser.context;
    page = await context.newPage();
    await page.goto(`${t.px.internalUrl}/console`);
    await page.locator('#key').fill(KEYS.support);
    await Promise.all([page.waitForURL('**/console/users'), page.keyboard.press('Enter')]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('each kind of input, and what it was read as', async () => {
    await make(`cs${run}_ana`, { phone: '+14155550187', email: `Ana.${run}@Example.com` });
    await make(`cs${run}_bob`);
    expect(await find(`CS${run}_`)).toEqual({
      as: 'Read as a username (its beginning) or a user ID.',
      names: [`cs${run}_ana`, `cs${run}_bob`],
    });
    expect(await find('(415) 555-0187')).toEqual({ as: 'Read as a phone number.', names: [`cs${run}_ana`] });
    expect(await find(`ana.${run}@example.COM`)).toEqual({ as: 'Read as an email address.', names: [`cs${run}_ana`] });
    const carol = await make(`cs${run}_carol`);
    expect((await find(carol.id)).names).toEqual([`cs${run}_carol`]);
    const r = await find(carol.requestId);
    expect(r).toEqual({ as: 'Read as a request ID: its events, and its customer.', names: [`cs${run}_carol`] });
    expect(await page.locator('ul.events li').allInnerTexts()).toContainEqual(expect.stringContaining('user_create'));
    await page.locator(`ul.events a[href="/console/users/${carol.id}"]`).first().click();
    await page.waitForURL(`**/console/users/${carol.id}`);
  });

  it('the next page shows the next customers, and the first page is a link away', async () => {
    const names = Array.from({ length: 27 }, (_, i) => `pg${run}_${String(i).padStart(2, '0')}`);
    for (const n of names) await make(n);
    expect((await find(`pg${run}_`)).names).toEqual(names.slice(0, 25));
    await Promise.all([page.waitForURL('**cursor=**'), page.getByRole('link', { name: 'Next page' }).click()]);
    expect(await page.locator('ul.results li strong').allInnerTexts()).toEqual(names.slice(25));
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForURL((u) => !u.search.includes('cursor='));
    expect(await page.locator('ul.results li strong').allInnerTexts()).toEqual(names.slice(0, 25));
  });

  it('the customers locked now, the newest lock first, with why and until when, each a link', async () => {
    const first = await make(`lk${run}_first`);
    const second = await make(`lk${run}_second`);
    await t.admin('POST', `/admin/users/${first.id}/lock`, { reason: 'card reported stolen' });
    await new Promise((r) => setTimeout(r, 5)); // two distinct lock times
    await t.admin('POST', `/admin/users/${second.id}/lock`, { reason: 'caller could not confirm' });
    await page.goto(`${t.px.internalUrl}/console/users`);
    await page.getByRole('link', { name: 'Locked now' }).click();
    await page.waitForURL('**/console/users/locks');
    const rows = (await page.locator('table.locks tbody tr').allInnerTexts()).filter((r) => r.includes(run));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      new RegExp(`lk${run}_second[\\s\\S]*UTC[\\s\\S]*caller could not confirm[\\s\\S]*until unlocked`),
    );
    expect(rows[1]).toMatch(new RegExp(`lk${run}_first[\\s\\S]*card reported stolen`));
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    expect((await page.screenshot({ path: SCREENSHOT, fullPage: true })).length).toBeGreaterThan(10_000);
    await page.getByRole('link', { name: `lk${run}_first` }).click();
    await page.waitForURL(`**/console/users/${first.id}`);
  });
});
