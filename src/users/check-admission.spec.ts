import { ErrorId } from '@/common/errors/error-id';
import type { AppConfig } from '@/config/app-config';
import { CheckAdmission, Overloaded } from './check-admission';

const config = (concurrency: number, timeoutMs: number) =>
  ({ OVERLOAD_CONCURRENCY: concurrency, OVERLOAD_QUEUE_TIMEOUT: timeoutMs }) as AppConfig;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(CheckAdmission.name, () => {
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
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => sut.run(check(i))));
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([2, 3, 4, 5]);
    expect(sut.state).toMatchObject({ running: 0, queued: 0 });
  });

  it('refuses at once a check whose expected wait passes the timeout, without running it', async () => {
    const sut = new CheckAdmission(config(1, 100));
    sut.observe(10_000); // each check is believed to take seconds
    let ran = 0;
    const first = sut.run(() => sleep(50).then(() => ran++));
    const started = Date.now();
    const second = await sut.run(() => Promise.resolve(ran++)).catch((e: unknown) => e);
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
    expect(sut.refusalNow()).toBeNull(); // a slot is free
    const first = sut.run(() => sleep(30));
    expect(sut.refusalNow()).toBeNull(); // it would wait about one check
    const second = sut.run(() => sleep(30));
    const refusal = sut.refusalNow();
    expect(refusal).toBeInstanceOf(Overloaded);
    expect(refusal!.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await sut.run(() => Promise.resolve('ran')).catch((e: unknown) => e)).toBeInstanceOf(Overloaded);
    await Promise.all([first, second]);
    expect(sut.refusalNow()).toBeNull();
  });

  it('refuses a queued check whose deadline passes, and lets the next in line go on', async () => {
    const sut = new CheckAdmission(config(1, 40));
    sut.observe(1); // believed fast, so the second one queues
    const slow = sut.run(() => sleep(120));
    const queued = sut.run(() => Promise.resolve('ran')).catch((e: unknown) => e);
    expect(await queued).toBeInstanceOf(Overloaded);
    await slow;
    expect(await sut.run(() => Promise.resolve('ran'))).toBe('ran');
    expect(sut.state).toMatchObject({ running: 0, queued: 0 });
  });
});
