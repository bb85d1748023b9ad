import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { FOREVER } from './forever';

/**
 * How long the n-th lock in a row lasts (docs/api.md#post-usersauth_token, LOCKOUT_MODE):
 * escalating doubles LOCKOUT_DURATION up to LOCKOUT_MAX_TEMPORARY locks, then holds until staff
 * unlock; temporary doubles up to LOCKOUT_MAX_DURATION; manual always holds until staff unlock.
 */
@Injectable()
export class LockoutPolicy {
  constructor(private readonly config: AppConfig) {}

  get threshold(): number {
    return this.config.LOCKOUT_THRESHOLD;
  }

  /** `lockNumber` counts from 1: the first lock since the last completed login. */
  lockedUntil(lockNumber: number, now: number): number {
    const {
      LOCKOUT_MODE: mode,
      LOCKOUT_DURATION: base,
      LOCKOUT_MAX_TEMPORARY: maxTemp,
      LOCKOUT_MAX_DURATION: max,
    } = this.config;
    if (mode === 'manual') return FOREVER;
    if (mode === 'escalating' && lockNumber > maxTemp) return FOREVER;
    const duration = base * 2 ** Math.min(lockNumber - 1, 40);
    return now + (mode === 'temporary' ? Math.min(duration, max) : duration);
  }
}
