import { ErrorId } from '@/common/errors/error-id';
import type { AppConfig } from '@/config/app-config';
import { CheckAdmission, CheckClass, Overloaded } from './check-admission';

const config = (concurrency: number, timeoutMs: number, signInShare = 0.5) =>
  ({
    OVERLOAD_CONCURRENCY: concurrency,
    OVERLOAD_QUEUE_TIMEOUT: timeoutMs,
    OVERLOAD_SIGNIN_SHARE: signInShare,
  }) as AppConfig;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Sets both classes' estimate of one check to about `ms` (the running average, fed until it settles). */
const believe = (sut: CheckAdmission, ms: number) => {
  for (let i = 0; i < 60; i++) sut.observe(ms);
};

describe(CheckAdmission.name, () => {
  describe('one class alone', () => {
    it('runs at most `limit` checks at once and the rest in order', async () => {
      const sut = new CheckAdmission(config(2, 10_000));
      sut.observe(1);
      let running = 0;
      let peak = 0;
      const order: number[] = [];
      const check = (i: number) => async () => {
        peak = Math.max(peak, ++running);
        await sleep(10);
        running--;
        order.push(i);
      };
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => sut.run('legacy', check(i))));
      expect(peak).toBe(2);
      expect(order.slice(2)).toEqual([2, 3, 4, 5]);
      expect(sut.state).toMatchObject({ running: 0, queued: 0 });
    });

    it('refuses at once a check whose expected wait passes the timeout, without running it', async () => {
      const sut = new CheckAdmission(config(1, 100));
      sut.observe(10_000); // each check is believed to take seconds
      let ran = 0;
      const first = sut.run('legacy', () => sleep(50).then(() => ran++));
      const started = Date.now();
      const second = await sut.run('legacy', () => Promise.resolve(ran++)).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(50);
      expect(second).toBeInstanceOf(Overloaded);
      expect((second as Overloaded).id).toBe(ErrorId.SERVICE_UNAVAILABLE);
      expect((second as Overloaded).retryAt!.getTime()).toBeGreaterThan(Date.now());
      await first;
      expect(ran).toBe(1);
    });

    it('refusalNow() says beforehand what run() would answer at once: nothing while it can wait, Overloaded past it', async () => {
      const sut = new CheckAdmission(config(1, 100));
      sut.observe(60); // about 60 ms a check: one waiting fits in 100 ms, two do not
      expect(sut.refusalNow('legacy')).toBeNull(); // a slot is free
      const first = sut.run('legacy', () => sleep(30));
      expect(sut.refusalNow('legacy')).toBeNull(); // it would wait about one check
      const second = sut.run('legacy', () => sleep(30));
      const refusal = sut.refusalNow('legacy');
      expect(refusal).toBeInstanceOf(Overloaded);
      expect(refusal!.retryAt!.getTime()).toBeGreaterThan(Date.now());
      expect(await sut.run('legacy', () => Promise.resolve('ran')).catch((e: unknown) => e)).toBeInstanceOf(Overloaded);
      await Promise.all([first, second]);
      expect(sut.refusalNow('legacy')).toBeNull();
    });

    it('refuses a queued check whose deadline passes, and lets the next in line go on', async () => {
      const sut = new CheckAdmission(config(1, 40));
      sut.observe(1); // believed fast, so the second one queues
      const slow = sut.run('oauth', () => sleep(120));
      const queued = sut.run('oauth', () => Promise.resolve('ran')).catch((e: unknown) => e);
      expect(await queued).toBeInstanceOf(Overloaded);
      await slow;
      expect(await sut.run('oauth', () => Promise.resolve('ran'))).toBe('ran');
      expect(sut.state).toMatchObject({ running: 0, queued: 0 });
    });
  });

  /**
   * Two classes on a fake clock: each check is a timer of a known length, so what each class got is
   * measured exactly (slot-milliseconds in a window), whatever the machine is doing.
   */
  describe('two classes sharing the slots (fake timers)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    interface Run {
      cls: CheckClass;
      start: number;
      end: number;
    }

    /** Checks of known lengths through `sut`, recording when each ran and how many ran at once. */
    function recorder(sut: CheckAdmission) {
      const t0 = Date.now();
      const runs: Run[] = [];
      const running = { legacy: 0, oauth: 0 };
      let peak = 0;
      const submit = (cls: CheckClass, ms: number): Promise<'ran' | Overloaded> =>
        sut
          .run(cls, async () => {
            const start = Date.now() - t0;
            running[cls]++;
            peak = Math.max(peak, running.legacy + running.oauth);
            await sleep(ms);
            running[cls]--;
            runs.push({ cls, start, end: Date.now() - t0 });
            return 'ran' as const;
          })
          .catch((e: unknown) => {
            if (e instanceof Overloaded) return e;
            throw e;
          });
      /** Slot-milliseconds `cls` used within [from, to). */
      const used = (cls: CheckClass, from: number, to: number) =>
        runs
          .filter((r) => r.cls === cls)
          .reduce((s, r) => s + Math.max(0, Math.min(r.end, to) - Math.max(r.start, from)), 0);
      const lastEnd = (cls: CheckClass) => Math.max(...runs.filter((r) => r.cls === cls).map((r) => r.end));
      return { runs, submit, used, lastEnd, peak: () => peak, now: () => Date.now() - t0 };
    }

    it.each([
      { share: 0.25, limit: 4, oauth: 120, legacy: 60 },
      { share: 0.25, limit: 4, oauth: 20, legacy: 240 },
      { share: 0.5, limit: 2, oauth: 120, legacy: 60 },
      { share: 0.5, limit: 1, oauth: 60, legacy: 120 },
      { share: 0.3, limit: 3, oauth: 120, legacy: 60 },
    ])(
      'while both wait, sign-ins get OVERLOAD_SIGNIN_SHARE=$share of $limit slots and Plaid the rest; then the one left gets them all',
      async ({ share, limit, oauth, legacy }) => {
        const sut = new CheckAdmission(config(limit, 600_000, share));
        believe(sut, 30);
        const r = recorder(sut);
        // Both flood at once, sign-ins first.
        const all = [
          ...Array.from({ length: oauth }, () => r.submit('oauth', 30)),
          ...Array.from({ length: legacy }, () => r.submit('legacy', 30)),
        ];
        await jest.advanceTimersByTimeAsync(((oauth + legacy) * 30) / limit + 1_000);
        expect(await Promise.all(all)).toEqual(Array(oauth + legacy).fill('ran'));
        expect(r.peak()).toBe(limit);

        // While both waited (until the first class finished), each had its share of the slot time.
        const bothUntil = Math.min(r.lastEnd('legacy'), r.lastEnd('oauth'));
        const from = 90;
        const to = bothUntil - 90;
        const capacity = limit * (to - from);
        expect(near(r.used('oauth', from, to) / capacity, share)).toBe(true);
        expect(near(r.used('legacy', from, to) / capacity, 1 - share)).toBe(true);
        // Then the class left alone used every slot: no capacity idle while it waited.
        const last = r.lastEnd('legacy') > r.lastEnd('oauth') ? 'legacy' : 'oauth';
        const alone = { from: bothUntil + 30, to: r.lastEnd(last) - 30 };
        expect(alone.to - alone.from).toBeGreaterThan(300);
        expect(r.used(last, alone.from, alone.to) / (limit * (alone.to - alone.from))).toBe(1);
        expect(sut.state).toMatchObject({ running: 0, queued: 0 });
      },
    );

    it('shares check time, not check counts: sign-in checks three times as long get as many slot-milliseconds, a third as many checks', async () => {
      const sut = new CheckAdmission(config(2, 600_000, 0.5));
      believe(sut, 30);
      const r = recorder(sut);
      const all = [
        ...Array.from({ length: 40 }, () => r.submit('oauth', 90)),
        ...Array.from({ length: 120 }, () => r.submit('legacy', 30)),
      ];
      await jest.advanceTimersByTimeAsync(40 * 90 + 120 * 30);
      expect(await Promise.all(all)).toEqual(Array(160).fill('ran'));
      const window = { from: 300, to: Math.min(r.lastEnd('legacy'), r.lastEnd('oauth')) - 300 };
      const capacity = 2 * (window.to - window.from);
      expect(near(r.used('oauth', window.from, window.to) / capacity, 0.5)).toBe(true);
      expect(near(r.used('legacy', window.from, window.to) / capacity, 0.5)).toBe(true);
      const counted = (cls: CheckClass) =>
        r.runs.filter((x) => x.cls === cls && x.start >= window.from && x.end <= window.to).length;
      expect(counted('legacy') / counted('oauth')).toBeCloseTo(3, 0);
    });

    it('a class with nothing waiting leaves the other every slot (work-conserving), and takes its share back at once', async () => {
      const sut = new CheckAdmission(config(4, 600_000, 0.5));
      believe(sut, 30);
      const r = recorder(sut);
      const flood = Array.from({ length: 80 }, () => r.submit('oauth', 30));
      await jest.advanceTimersByTimeAsync(300);
      // Sign-ins alone: all four slots theirs, although their share is half.
      expect(r.used('oauth', 0, 300) / (4 * 300)).toBe(1);
      expect(sut.state.byClass.oauth).toMatchObject({ running: 4 });
      // Plaid arrives: its first check starts when the first running sign-in ends, before any queued one.
      const plaid = Array.from({ length: 20 }, () => r.submit('legacy', 30));
      await jest.advanceTimersByTimeAsync(20 * 30);
      const firstPlaid = Math.min(...r.runs.filter((x) => x.cls === 'legacy').map((x) => x.start));
      expect(firstPlaid).toBeLessThanOrEqual(330);
      expect(await Promise.all([...flood, ...plaid])).toEqual(Array(100).fill('ran'));
      expect(near(r.used('legacy', 360, 600) / (4 * 240), 0.5)).toBe(true);
    });

    it.each<[CheckClass, CheckClass]>([
      ['legacy', 'oauth'],
      ['oauth', 'legacy'],
    ])(
      "a flood of %s that is being shed never makes %s's arrivals refused: shedding is judged per class",
      async (flooding, other) => {
        const sut = new CheckAdmission(config(1, 100, 0.5));
        believe(sut, 30);
        const r = recorder(sut);
        const flood = Array.from({ length: 12 }, () => r.submit(flooding, 30));
        // One running and three waiting: a fourth would wait about 4 x 30 ms, past the 100 ms timeout.
        expect(sut.state.byClass[flooding]).toMatchObject({ running: 1, queued: 3 });
        expect(sut.refusalNow(flooding)).toBeInstanceOf(Overloaded);
        // The other class's newcomer counts only its own queue, on its half of the one slot: 60 ms.
        expect(sut.refusalNow(other)).toBeNull();
        const arrival = r.submit(other, 30);
        // A second one would wait for the first and its own turn (2 x 60 ms): its own queue is full.
        expect(sut.refusalNow(other)).toBeInstanceOf(Overloaded);
        await jest.advanceTimersByTimeAsync(600);
        const answers = await Promise.all(flood);
        // Eight refused at once; the last of the three waiting met its deadline (100 ms) behind the arrival.
        expect(answers.filter((a) => a instanceof Overloaded)).toHaveLength(9);
        expect(await arrival).toBe('ran');
        // It started right after the check that was running, ahead of the flood's queue.
        expect(r.runs.filter((x) => x.cls === other).map((x) => x.start)).toEqual([30]);
      },
    );

    it("a class's queued checks meet their deadline on their own: the other's arrival still starts in time", async () => {
      const sut = new CheckAdmission(config(1, 100, 0.5));
      believe(sut, 5); // believed fast, so Plaid's whole burst queues
      const r = recorder(sut);
      const plaid = Array.from({ length: 6 }, () => r.submit('legacy', 80));
      const signIn = r.submit('oauth', 80);
      await jest.advanceTimersByTimeAsync(400);
      // The one running finished at 80 ms; the slot went to the sign-in, waiting since 0 and behind its
      // share; Plaid's five waiting passed their 100 ms deadline at once, and nothing of it held up the other.
      expect(await signIn).toBe('ran');
      expect(r.runs.find((x) => x.cls === 'oauth')!.start).toBe(80);
      const answers = await Promise.all(plaid);
      expect(answers.filter((a) => a === 'ran')).toHaveLength(1);
      expect(answers.filter((a) => a instanceof Overloaded)).toHaveLength(5);
    });

    it('expects a class to wait longer while the other waits too: its share of the slots, not all of them', async () => {
      // 50 ms a check, two slots, a 120 ms timeout: alone, four may wait (5 x 50 / 2 > 120); while Plaid
      // waits, sign-ins count on one slot, and two may wait (3 x 50 / 1 > 120).
      const waitingAllowed = async (plaidWaiting: boolean) => {
        const sut = new CheckAdmission(config(2, 120, 0.5));
        believe(sut, 50);
        const r = recorder(sut);
        const pending = [r.submit('legacy', 50), r.submit('legacy', 50)];
        if (plaidWaiting) pending.push(r.submit('legacy', 50));
        let queued = 0;
        while (!sut.refusalNow('oauth')) {
          pending.push(r.submit('oauth', 50));
          queued = sut.state.byClass.oauth.queued;
        }
        await jest.advanceTimersByTimeAsync(1_000);
        await Promise.all(pending);
        return queued;
      };
      expect(await waitingAllowed(false)).toBe(4);
      expect(await waitingAllowed(true)).toBe(2);
    });
  });
});

/**
 * A share within 0.03 of the one configured: the fake clock makes shares exact but for the checks cut
 * by the window's ends and the slot changing hands a check at a time.
 */
function near(measured: number, configured: number): boolean {
  const ok = Math.abs(measured - configured) <= 0.03;
  if (!ok) console.error(`share ${measured.toFixed(3)}, configured ${configured}`);
  return ok;
}
