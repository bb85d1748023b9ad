import request from 'supertest';
import type { TestApp } from './harness';

export type Labels = Record<string, string>;

/** The value of one sample of the exposition text, 0 when the series has not appeared yet. */
export function sample(text: string, name: string, labels: Labels = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** GET /metrics on the internal listener, as Prometheus scrapes it. */
export async function scrape(t: TestApp): Promise<string> {
  const r = await request(t.px.internalServer).get('/metrics');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return r.text;
}
