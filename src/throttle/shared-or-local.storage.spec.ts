import { LOCAL_FALLBACK_MS, SharedOrLocalStorage } from './shared-or-local.storage';

describe(SharedOrLocalStorage.name, () => {
  const record = { totalHits: 7, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 };
  const setup = () => {
    let now = 1_000_000;
    const shared = { increment: jest.fn().mockResolvedValue(record) };
    const fallbacks: unknown[] = [];
    const sut = new SharedOrLocalStorage(
      shared,
      (err) => fallbacks.push(err),
      () => now,
    );
    return { sut, shared, fallbacks, advance: (ms: number) => (now += ms) };
  };
  const hit = (sut: SharedOrLocalStorage) => sut.increment('k', 1_000, 2, 0, 'address');

  it('uses the shared counters while they answer', async () => {
    const { sut, shared } = setup();
    await expect(hit(sut)).resolves.toEqual(record);
    expect(shared.increment).toHaveBeenCalledWith('k', 1_000, 2, 0, 'address');
    expect(sut.perProcess).toBe(false);
    sut.onApplicationShutdown();
  });

  it('counts on its own for LOCAL_FALLBACK_MS after the shared store failed, then asks it again', async () => {
    const { sut, shared, fallbacks, advance } = setup();
    const outage = new Error('Command timed out');
    shared.increment.mockRejectedValueOnce(outage);
    const first = await hit(sut);
    expect(fallbacks).toEqual([outage]);
    expect(first.totalHits).toBe(1);
    expect(sut.perProcess).toBe(true);
    advance(LOCAL_FALLBACK_MS - 1);
    expect((await hit(sut)).totalHits).toBe(2);
    expect((await hit(sut)).isBlocked).toBe(true);
    expect(shared.increment).toHaveBeenCalledTimes(1);
    advance(1);
    // Still per process until the shared store has answered again, however long nothing asked it.
    expect(sut.perProcess).toBe(true);
    await expect(hit(sut)).resolves.toEqual(record);
    expect(shared.increment).toHaveBeenCalledTimes(2);
    expect(sut.perProcess).toBe(false);
    sut.onApplicationShutdown();
  });
});
