import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser as Chromium, chromium } from 'playwright-core';
import { STATE_MAX } from '@/oauth/sign-in.controller';
import { TestApp, totpAt } from './support/harness';
import { CLIENT } from './support/harness';

// A customer in real headless Chromium (Debian's /usr/bin/chromium): the pages work as a browser
// runs them (cookie, CSP form-action on the last redirect), and land on the client's redirect URI.
// PXAUTH_SCREENSHOT=docs/oauth-signin.png also saves the sign-in page there, for docs/oauth.md.
describe('OAuth sign-in in Chromium', () => {
  let t: TestApp;
  let browser: Chromium;
  let callback: Server;
  const landed: URL[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    callback = createServer((req, res) => {
      landed.push(new URL(req.url!, 'http://127.0.0.1'));
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>Linked</title><p>Back at the app.</p>');
    }).listen(0, '127.0.0.1');
    await once(callback, 'listening');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    callback?.close();
    await t?.stop();
  });

  it('signs in with a password and TOTP and lands on the redirect URI with a code, the state and iss', async () => {
    const user = await t.createUser('browser_totp', { totp: true });
    const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    const page = await browser.newPage({ locale: 'en-US', javaScriptEnabled: false });
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin !== t.px.publicUrl && u.origin !== new URL(redirectUri).origin) elsewhere.push(r.url());
    });
    // The longest state there may be: its sealed sign-in cookie is the largest, and Chromium keeps it.
    const state = `browser-state-${'x'.repeat(STATE_MAX - 14)}`;
    const q = new URLSearchParams({ response_type: 'code', client_id: CLIENT.id, redirect_uri: redirectUri, state });
    await page.goto(`${t.px.publicUrl}/oauth2/authorize?${q.toString()}`);
    expect(await page.title()).toBe('Sign in');
    // The first field has the focus, and the style sheet (served by pxauth) applied.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('username');
    const shot = process.env.PXAUTH_SCREENSHOT;
    await page.screenshot({ path: shot ? join(__dirname, '..', shot) : join(t.dir, 'signin.png') });

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code').waitFor();
    await page.getByLabel('Code').fill(totpAt(user.secret!));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/callback\?/);

    const u = new URL(page.url());
    expect(u.origin + u.pathname).toBe(redirectUri);
    expect(u.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('state')).toBe(state);
    expect(u.searchParams.get('iss')).toBe('http://localhost:3000');
    expect(landed.filter((l) => l.pathname === '/callback').map((l) => l.searchParams.get('code'))).toEqual([
      u.searchParams.get('code'),
    ]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
