import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, BrowserContextOptions, chromium } from 'playwright-core';

/**
 * Debian's headless Chromium driven by playwright-core 1.64 (built for Chromium 156, as Debian ships),
 * on a new profile each time: no extension, no update check, no network of its own.
 */
export async function openChromium(options: BrowserContextOptions = {}): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'pxauth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PXAUTH_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
