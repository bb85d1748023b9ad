import { Res, TestApp, expectEnvelope } from './harness';

/** What support staff see of a user: where it comes from, its lock counters and factors. */
export interface SourceUserView {
  user_id: string;
  username: string;
  source: { kind: string; reference: string | null };
  lock: { locked: boolean; consecutive_failures: number; attempts_in_flight: number };
  factors: { otp: { type: string; mask: string }[] };
}

export async function userView(t: TestApp, userId: string): Promise<SourceUserView> {
  const r = await t.admin('GET', `/admin/users/${userId}`);
  expect(r.status).toBe(200);
  return r.body as SourceUserView;
}

/** The lock counters of a user, as the admin view shows them. */
export async function failures(t: TestApp, userId: string): Promise<{ failures: number; locked: boolean }> {
  const v = await userView(t, userId);
  expect(v.lock.attempts_in_flight).toBe(0);
  return { failures: v.lock.consecutive_failures, locked: v.lock.locked };
}

/** A 503 for an upstream in trouble: the envelope with a retry_at in the future. */
export function expectUnavailable(r: Res): void {
  expectEnvelope(r, 503, 'SERVICE_UNAVAILABLE');
  expect(Date.parse(r.body.error.retry_at)).toBeGreaterThan(Date.now() - 1000);
  expect(r.headers['retry-after']).toBeDefined();
}

/** The newest login audit event of a user. */
export async function lastLoginEvent(t: TestApp, userId: string): Promise<{ outcome: string; detail: any }> {
  const events = await t.events(userId);
  return events.find((e) => e.type === 'login')!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
