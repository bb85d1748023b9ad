import { Injectable } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';

/** A check that could not start within OVERLOAD_QUEUE_TIMEOUT: 503 with retry_at, its attempt given back. */
export class Overloaded extends PxError {
  constructor(retryAt: Date) {
    super(ErrorId.SERVICE_UNAVAILABLE, 'The service is busy; retry shortly.', retryAt);
  }
}

// libuv's default thread pool, where argon2's native work runs: more checks at once than threads only queue there.
const LIBUV_THREADS = 4;
// How much each finished check moves the running estimate of a check's duration.
const EWMA_WEIGHT = 0.2;

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

/**
 * Admission control in front of the password and KBA-answer checks (PRODUCT.md section 13). At most
 * OVERLOAD_CONCURRENCY argon2 verifies run at once (by default one per CPU, at most the thread pool);
 * the rest wait in order. One that cannot start within OVERLOAD_QUEUE_TIMEOUT is refused at once
 * (its expected wait, from the queue ahead and the measured check time, is too long) or when its
 * deadline passes, so an accepted login is answered within about the timeout plus one check, and
 * the rest get a 503 Plaid can retry instead of a wait Plaid gives up on.
 */
@Injectable()
export class CheckAdmission {
  readonly limit: number;
  private readonly timeoutMs: number;
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private checkMs = 50;

  constructor(config: AppConfig) {
    this.limit = config.OVERLOAD_CONCURRENCY || Math.min(availableParallelism(), LIBUV_THREADS);
    this.timeoutMs = config.OVERLOAD_QUEUE_TIMEOUT;
  }

  /** Checks running and waiting now, and the running estimate of one check (for operators and metrics). */
  get state(): { running: number; queued: number; checkMs: number } {
    return { running: this.running, queued: this.waiting.length, checkMs: this.checkMs };
  }

  /**
   * The refusal a check arriving now would meet at once (its expected wait is past the timeout), or null.
   * A login asks before it counts an attempt or reads anything (issue 10): under a flood the refused are
   * most of the traffic, and what each costs is taken from the checks that are admitted.
   */
  refusalNow(): Overloaded | null {
    if (this.running < this.limit && !this.waiting.length) return null;
    return this.expectedWaitMs() > this.timeoutMs ? this.overloaded() : null;
  }

  /** Runs `check` once a slot is free, or throws Overloaded without running it. */
  async run<T>(check: () => Promise<T>): Promise<T> {
    await this.admit();
    const started = performance.now();
    try {
      return await check();
    } finally {
      this.observe(performance.now() - started);
      this.release();
    }
  }

  /** A measured check (the start-up dummy hash seeds the estimate). */
  observe(ms: number): void {
    this.checkMs += EWMA_WEIGHT * (ms - this.checkMs);
  }

  private admit(): Promise<void> {
    if (this.running < this.limit && !this.waiting.length) {
      this.running++;
      return Promise.resolve();
    }
    if (this.expectedWaitMs() > this.timeoutMs) return Promise.reject(this.overloaded());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.overloaded());
        }, this.timeoutMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** A newcomer starts when the checks ahead of it and one running have finished, `limit` at a time. */
  private expectedWaitMs(): number {
    return ((this.waiting.length + 1) * this.checkMs) / this.limit;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The slot passes to the next in line: `running` stays as it is.
    clearTimeout(next.timer);
    next.admit();
  }

  private overloaded(): Overloaded {
    // About when the queue ahead will have drained; Retry-After counts whole seconds.
    return new Overloaded(new Date(Date.now() + Math.max(1_000, this.timeoutMs)));
  }
}
