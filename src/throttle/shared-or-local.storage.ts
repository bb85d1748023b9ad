import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// After Redis failed to answer, this long on this process's own counters before Redis is asked again.
export const LOCAL_FALLBACK_MS = 5_000;

/**
 * The throttling counters in Redis, shared by every replica (PRODUCT.md section 13); while Redis cannot
 * answer, this process's own, so that each replica still holds the limits alone rather than none, and a
 * Redis that hangs costs one command timeout every LOCAL_FALLBACK_MS instead of one on every request.
 */
export class SharedOrLocalStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private localUntil = 0;

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
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (err) {
        this.localUntil = this.now() + LOCAL_FALLBACK_MS;
        this.onFallback(err);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
