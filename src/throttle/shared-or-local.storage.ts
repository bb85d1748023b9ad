import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// After Redis failed to answer, this long on this process's own counters before Redis is asked again.
export const LOCAL_FALLBACK_MS = 5_000;

/**
 * The throttling counters in Redis, shared by every replica (docs/operations.md#shedding-and-throttling); while Redis cannot
 * answer, this process's own, so that each replica still holds the limits alone rather than none, and a
 * Redis that hangs costs one command timeout every LOCAL_FALLBACK_MS instead of one on every request.
 */
export class SharedOrLocalStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private localUntil = 0;
  private degraded = false;

  constructor(
    readonly shared: ThrottlerStorage,
    private readonly onFallback: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.now() >= this.localUntil) {
      try {
        const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
        this.degraded = false;
        return record;
      } catch (err) {
        this.degraded = true;
        this.localUntil = this.now() + LOCAL_FALLBACK_MS;
        this.onFallback(err);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /**
   * Whether the limits are this process's alone: from Redis' first failure until it answers again, so
   * that an operator's alert holds through a quiet spell that asks Redis nothing (docs/operations.md, "Metrics").
   */
  get perProcess(): boolean {
    return this.degraded;
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
