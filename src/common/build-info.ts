import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What is running: pxauth's version (its package.json, beside src/ or dist/) and the Node runtime's. */
export const BUILD_INFO = { version: readVersion(), node: process.version };

function readVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pxauth' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
  }
  return 'unknown';
}
