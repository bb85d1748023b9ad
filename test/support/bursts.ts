import { randomInt } from 'node:crypto';
import { Res, expectEnvelope } from './harness';

/** Status and error id of each answer, counted: { '401 INVALID_CREDENTIALS': 5, ... }. */
export function tally(rs: Res[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status === 200 ? '200' : `${r.status} ${r.body?.error?.id}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/**
 * A burst of wrong answers: exactly `judged` are judged (401 `wrongId`); the rest are 403 (after the
 * lock) or 503 with a retry_at (while every remaining attempt was in flight, docs/operations.md#shedding-and-throttling).
 */
export function expectJudgedThenRefused(rs: Res[], judged: number, wrongId: string): void {
  const t = tally(rs);
  expect(t[`401 ${wrongId}`]).toBe(judged);
  expect((t['403 ACCOUNT_LOCKED'] ?? 0) + (t['503 SERVICE_UNAVAILABLE'] ?? 0)).toBe(rs.length - judged);
  expect(Object.keys(t).sort()).toEqual(
    [`401 ${wrongId}`, '403 ACCOUNT_LOCKED', '503 SERVICE_UNAVAILABLE'].filter((k) => t[k]).sort(),
  );
  for (const r of rs) expectEnvelope(r, r.status, r.body.error.id);
}

/** `n` calls at once. */
export const burst = (n: number, fn: (i: number) => Promise<Res>) =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

/** `n` calls one after another. */
export async function sequence(n: number, call: (i: number) => Promise<Res>): Promise<Res[]> {
  const out: Res[] = [];
  for (let i = 0; i < n; i++) out.push(await call(i));
  return out;
}

/**
 * A source address of the calling test's own, as X-Forwarded-For from a trusted loopback proxy
 * (TRUST_PROXY=loopback) gives it: the throttle counters it fills, in Redis too, are that test's alone.
 */
export const sourceAddress = () =>
  `198.51.100.${randomInt(1, 255)}, 10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
export const from = (addr: string) => ({ 'X-Forwarded-For': addr });
