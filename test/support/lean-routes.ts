import request from 'supertest';
import type { LeanRoute } from '@/edge/lean-routes';
import type { TestApp } from './harness';

/**
 * For each call `act` made of a lean route's answer (src/edge/lean-routes.ts): true if it answered,
 * false if it handed the request to the full pipeline. The route is watched, never replaced.
 */
export async function leanAnswers(
  t: TestApp,
  routeType: abstract new (...args: never[]) => LeanRoute,
  act: () => Promise<unknown>,
): Promise<boolean[]> {
  const spy = jest.spyOn(t.px.app.get(routeType), 'answer');
  try {
    await act();
    return Promise.all(spy.mock.results.map(async (r) => (await r.value) !== undefined));
  } finally {
    spy.mockRestore();
  }
}

/** pxauth_http_requests_total for one route and status, from /metrics on the internal listener. */
export async function requestsCounted(t: TestApp, route: string, status: number): Promise<number> {
  const m = await request(t.px.internalServer).get('/metrics');
  const line = m.text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('pxauth_http_requests_total{') &&
        l.includes(`route="${route}"`) &&
        l.includes(`status="${status}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}
