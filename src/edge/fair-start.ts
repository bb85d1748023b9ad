import { performance } from 'node:perf_hooks';
import type { Listener } from '@/common/http/request-context';

/** How long one event-loop iteration should spend on the requests it starts before the loop comes round. */
export const SLICE_MS = 10;
const MOST_PER_SLICE = 256;

/**
 * Starts the requests the HTTP parser hands over a few per event-loop iteration, as many as keep an
 * iteration near SLICE_MS, so that the loop comes round often even under a flood. libuv 1.46 (Node 20)
 * accepts one new connection per listener per iteration: with every parsed request started in the
 * iteration that parsed it, a flood of sheds made iterations of 200 ms, and of 300 clients connecting at
 * once the last waited 10 s to be accepted at all. The management listener's requests (a scrape, a probe)
 * start first, then the internal listener's, so staff calls and introspection are never queued behind
 * Plaid's (docs/operations.md, "Shedding and throttling").
 */
export class FairStart {
  private readonly waiting: Record<Listener, (() => void)[]> = { management: [], internal: [], public: [] };
  private perSlice = 8;
  private startedSinceSlice = 0;
  private sliceBegan = 0;
  private scheduled = false;

  /** Begins at once while this iteration has room and nothing waits; else waits its turn in order. */
  start(listener: Listener, begin: () => void): void {
    this.scheduleSlice();
    if (!this.queued && this.startedSinceSlice < this.perSlice) {
      this.startedSinceSlice++;
      begin();
      return;
    }
    this.waiting[listener].push(begin);
  }

  /** Waiting to start, for metrics and tests. */
  get queued(): number {
    return this.waiting.management.length + this.waiting.internal.length + this.waiting.public.length;
  }

  private scheduleSlice(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // The first request of an iteration begins its measure: the slice then sees what the iteration cost.
    this.sliceBegan ||= performance.now();
    setImmediate(this.slice);
  }

  /** Once per iteration while requests arrive (the check phase): what waits, up to what is left of the room. */
  private readonly slice = (): void => {
    const now = performance.now();
    // Since the last slice (or the iteration's first request) the loop did that slice, its promises and
    // one poll phase with the requests begun in it: the iteration. Longer than SLICE_MS halves the room.
    const iteration = now - this.sliceBegan;
    this.perSlice =
      iteration > SLICE_MS ? Math.max(1, this.perSlice >> 1) : Math.min(MOST_PER_SLICE, this.perSlice + 1);
    try {
      for (let n = this.startedSinceSlice; n < this.perSlice; n++) {
        const begin = this.waiting.management.shift() ?? this.waiting.internal.shift() ?? this.waiting.public.shift();
        if (!begin) break;
        begin();
      }
    } finally {
      this.startedSinceSlice = 0;
      this.scheduled = false;
      this.sliceBegan = 0;
      if (this.queued) {
        this.sliceBegan = now;
        this.scheduleSlice();
      }
    }
  };
}
