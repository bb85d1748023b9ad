import { Injectable } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';

/** A check that could not start within OVERLOAD_QUEUE_TIMEOUT: 503 with retry_at, its attempt given back. */
export class Overloaded extends PxError {
  constructor(retryAt: Date) {
    super(ErrorId.SERVICE_UNAVAILABLE, 'The service is busy; retry shortly.', retryAt);
  }
}

/**
 * Who a check is for: Plaid's authenticated calls to the legacy endpoints, or the public OAuth sign-in
 * pages, where anyone may post. The same words as the login's path, so a flow passes its path as it is.
 */
export type CheckClass = 'legacy' | 'oauth';
export const CHECK_CLASSES: readonly CheckClass[] = ['legacy', 'oauth'];

/** What a class is doing now: checks running and waiting, and its running estimate of one check. */
export interface ClassState {
  running: number;
  queued: number;
  checkMs: number;
}

// libuv's default thread pool, where argon2's native work runs: more checks at once than threads only queue there.
const LIBUV_THREADS = 4;
// How much each finished check moves the running estimate of a check's duration.
const EWMA_WEIGHT = 0.2;
// The estimate before any check was measured (the start-up dummy hash replaces it at once).
const FIRST_ESTIMATE_MS = 50;

interface Waiter {
  /** Starts the check, with what its start was charged to its class's clock. */
  admit(charged: number): void;
  timer: NodeJS.Timeout;
  /** When it joined the queue: between classes equally served, the longer waiting goes first. */
  since: number;
}

/** One class's queue, its checks running, and its place in the sharing of the slots. */
class Lane {
  running = 0;
  readonly waiting: Waiter[] = [];
  checkMs = FIRST_ESTIMATE_MS;
  /**
   * The class's virtual clock: milliseconds of checks it was given, divided by its share. Of two
   * classes with checks waiting the one whose clock is behind goes next, so over any stretch where
   * both wait each has had its share of the check time (stride scheduling, as weighted fair queueing).
   */
  clock = 0;
  /** The clock when its latest check started, before that check was charged to it. */
  startedAt = 0;

  constructor(readonly share: number) {}

  get load(): number {
    return this.running / this.share;
  }
}

/**
 * Admission control in front of the password and KBA-answer checks (docs/operations.md, "Shedding and throttling"). At
 * most OVERLOAD_CONCURRENCY argon2 verifies run at once (by default one per CPU, at most the thread
 * pool); the rest wait in order, in one queue per class. While both classes have checks waiting, each
 * gets its share of the check time (OVERLOAD_SIGNIN_SHARE for the sign-in pages, the rest for Plaid);
 * when only one has, it gets every slot, so no capacity is left idle. A check that cannot start within
 * OVERLOAD_QUEUE_TIMEOUT is refused at once (its expected wait, from its own class's queue, the slots
 * that class can count on and its measured check time, is too long) or when its deadline passes: an
 * accepted login is answered within about the timeout plus one check, the rest get a 503 Plaid can
 * retry, and a flood of one class never makes the other's arrivals refused.
 */
@Injectable()
export class CheckAdmission {
  readonly limit: number;
  private readonly timeoutMs: number;
  private readonly lanes: Record<CheckClass, Lane>;

  constructor(config: AppConfig) {
    this.limit = config.OVERLOAD_CONCURRENCY || Math.min(availableParallelism(), LIBUV_THREADS);
    this.timeoutMs = config.OVERLOAD_QUEUE_TIMEOUT;
    const signIn = config.OVERLOAD_SIGNIN_SHARE;
    this.lanes = { legacy: new Lane(1 - signIn), oauth: new Lane(signIn) };
  }

  /** Checks running and waiting now, in all and by class (for operators and metrics). */
  get state(): { running: number; queued: number; byClass: Record<CheckClass, ClassState> } {
    const of = (l: Lane): ClassState => ({ running: l.running, queued: l.waiting.length, checkMs: l.checkMs });
    const { legacy, oauth } = this.lanes;
    return {
      running: this.running,
      queued: legacy.waiting.length + oauth.waiting.length,
      byClass: { legacy: of(legacy), oauth: of(oauth) },
    };
  }

  /**
   * The refusal a check of `cls` arriving now would meet at once (its expected wait is past the timeout),
   * or null. A login asks before it counts an attempt or reads anything: under a flood the refused are most
   * of the traffic, and what each costs is taken from the checks that are admitted.
   */
  refusalNow(cls: CheckClass): Overloaded | null {
    if (this.running < this.limit && !this.lanes[cls].waiting.length) return null;
    return this.expectedWaitMs(cls) > this.timeoutMs ? this.overloaded() : null;
  }

  /** Runs `check` once a slot is free for its class, or throws Overloaded without running it. */
  async run<T>(cls: CheckClass, check: () => Promise<T>): Promise<T> {
    const charged = await this.admit(cls);
    const started = performance.now();
    try {
      return await check();
    } finally {
      this.finished(cls, performance.now() - started, charged);
    }
  }

  /** A measured check; without a class, both estimates (the start-up dummy hash seeds them). */
  observe(ms: number, cls?: CheckClass): void {
    for (const c of cls ? [cls] : CHECK_CLASSES) this.lanes[c].checkMs += EWMA_WEIGHT * (ms - this.lanes[c].checkMs);
  }

  private get running(): number {
    return this.lanes.legacy.running + this.lanes.oauth.running;
  }

  private admit(cls: CheckClass): Promise<number> {
    const lane = this.lanes[cls];
    // A free slot means no one waits (a freed slot always goes to a waiter): start now.
    if (this.running < this.limit && !lane.waiting.length) return Promise.resolve(this.start(lane));
    if (this.expectedWaitMs(cls) > this.timeoutMs) return Promise.reject(this.overloaded());
    // A class that starts waiting takes up the other's clock where the other's latest check started (as
    // start-time fair queueing does): time it left unused is no credit, since the other used it as
    // work-conserving sharing wants, and what the other used alone is no debt; it goes next.
    if (!lane.waiting.length) lane.clock = Math.max(lane.clock, this.otherOf(cls).startedAt);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        since: performance.now(),
        timer: setTimeout(() => {
          const at = lane.waiting.indexOf(waiter);
          if (at >= 0) lane.waiting.splice(at, 1);
          reject(this.overloaded());
        }, this.timeoutMs),
      };
      lane.waiting.push(waiter);
    });
  }

  /**
   * How long a newcomer of `cls` would wait: the checks of its own class ahead of it and one running,
   * over the slots its class can count on, every one of them, or its share while the other class waits.
   */
  private expectedWaitMs(cls: CheckClass): number {
    const lane = this.lanes[cls];
    const slots = this.otherOf(cls).waiting.length ? this.limit * lane.share : this.limit;
    return ((lane.waiting.length + 1) * lane.checkMs) / slots;
  }

  /** A slot taken: the class's clock moves by the check's expected time, corrected when it ends. */
  private start(lane: Lane): number {
    lane.running++;
    const charged = lane.checkMs;
    lane.startedAt = lane.clock;
    lane.clock += charged / lane.share;
    return charged;
  }

  private finished(cls: CheckClass, ms: number, charged: number): void {
    const lane = this.lanes[cls];
    lane.clock += (ms - charged) / lane.share;
    this.observe(ms, cls);
    lane.running--;
    const next = this.nextLane();
    if (next) {
      const waiter = next.waiting.shift()!;
      clearTimeout(waiter.timer);
      waiter.admit(this.start(next));
    } else if (!this.running) {
      // Idle: nothing to share, and clocks started again from zero stay small.
      for (const l of [this.lanes.legacy, this.lanes.oauth]) l.clock = l.startedAt = 0;
    }
  }

  /** Of the classes with checks waiting, the one furthest behind its share (then the one waiting longer). */
  private nextLane(): Lane | undefined {
    const { legacy, oauth } = this.lanes;
    if (!legacy.waiting.length) return oauth.waiting.length ? oauth : undefined;
    if (!oauth.waiting.length) return legacy;
    if (legacy.clock !== oauth.clock) return legacy.clock < oauth.clock ? legacy : oauth;
    if (legacy.load !== oauth.load) return legacy.load < oauth.load ? legacy : oauth;
    return legacy.waiting[0].since <= oauth.waiting[0].since ? legacy : oauth;
  }

  private otherOf(cls: CheckClass): Lane {
    return this.lanes[cls === 'legacy' ? 'oauth' : 'legacy'];
  }

  private overloaded(): Overloaded {
    // About when the queue ahead will have drained; Retry-After counts whole seconds.
    return new Overloaded(new Date(Date.now() + Math.max(1_000, this.timeoutMs)));
  }
}
