import { loadConfig } from '@/config/load-config';
import { FOREVER } from './forever';
import { LockoutPolicy } from './lockout.policy';

const policy = (env: Record<string, string>) => new LockoutPolicy(loadConfig({ NODE_ENV: 'test', ...env }));
const MIN = 60_000;

describe(LockoutPolicy.name, () => {
  const now = 1_000_000;

  it('escalating (default): 15, 30, 60 minutes, then until staff unlock', () => {
    const sut = policy({});
    expect([1, 2, 3].map((n) => sut.lockedUntil(n, now) - now)).toEqual([15 * MIN, 30 * MIN, 60 * MIN]);
    expect(sut.lockedUntil(4, now)).toBe(FOREVER);
  });

  it('escalating honours LOCKOUT_MAX_TEMPORARY and LOCKOUT_DURATION', () => {
    const sut = policy({ LOCKOUT_MAX_TEMPORARY: '1', LOCKOUT_DURATION: '2m' });
    expect(sut.lockedUntil(1, now) - now).toBe(2 * MIN);
    expect(sut.lockedUntil(2, now)).toBe(FOREVER);
  });

  it('temporary doubles up to LOCKOUT_MAX_DURATION and never becomes permanent', () => {
    const sut = policy({ LOCKOUT_MODE: 'temporary', LOCKOUT_DURATION: '1h', LOCKOUT_MAX_DURATION: '5h' });
    expect([1, 2, 3, 4, 50].map((n) => (sut.lockedUntil(n, now) - now) / (60 * MIN))).toEqual([1, 2, 4, 5, 5]);
  });

  it('manual: every lock holds until staff unlock', () => {
    expect(policy({ LOCKOUT_MODE: 'manual' }).lockedUntil(1, now)).toBe(FOREVER);
  });
});
