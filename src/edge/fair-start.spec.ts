import { FairStart } from './fair-start';

const nextIteration = () => new Promise<void>((r) => setImmediate(r));

describe(FairStart.name, () => {
  it('starts a request at once while the iteration has room and nothing waits', () => {
    const sut = new FairStart();
    const started: string[] = [];
    sut.start('public', () => started.push('a'));
    expect(started).toEqual(['a']);
    expect(sut.queued).toBe(0);
  });

  it('starts what one iteration cannot take in later iterations, in order, until none waits', async () => {
    const sut = new FairStart();
    const started: number[] = [];
    for (let i = 0; i < 20; i++) sut.start('public', () => started.push(i));
    // Eight begin in the iteration that parsed them; the rest wait, in the order they came.
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sut.queued).toBe(12);
    for (let i = 0; i < 10 && sut.queued; i++) await nextIteration();
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(sut.queued).toBe(0);
  });

  it("starts the internal listener's waiting requests before Plaid's", async () => {
    const sut = new FairStart();
    const started: string[] = [];
    for (let i = 0; i < 8; i++) sut.start('public', () => started.push(`p${i}`));
    sut.start('public', () => started.push('plaid'));
    sut.start('internal', () => started.push('staff'));
    // The iteration that parsed them had its room; the next ones start what waits.
    for (let i = 0; i < 3 && sut.queued; i++) await nextIteration();
    expect(started.slice(8)).toEqual(['staff', 'plaid']);
  });

  it('takes fewer per iteration while iterations run long, so the loop comes round to accept connections', async () => {
    const sut = new FairStart();
    let started = 0;
    const busy = () => {
      started++;
      const until = performance.now() + 3; // 3 ms of work each: eight make a 24 ms iteration
      while (performance.now() < until);
    };
    for (let i = 0; i < 40; i++) sut.start('public', busy);
    const perIteration: number[] = [];
    for (let i = 0; i < 40 && sut.queued; i++) {
      const before = started;
      await nextIteration();
      perIteration.push(started - before);
    }
    expect(started).toBe(40);
    // The first iteration began eight (24 ms): the room is halved, and stays near SLICE_MS's worth (3 or 4).
    expect(Math.max(...perIteration)).toBeLessThanOrEqual(5);
    expect(perIteration.slice(-5).every((n) => n >= 1 && n <= 4)).toBe(true);
  });
});
