import { CircuitBreaker } from '@/common/resilience/circuit-breaker';

describe(CircuitBreaker.name, () => {
  let now = 0;
  const sut = () => new CircuitBreaker('test', 3, 30_000, () => now);

  it('stays closed below the threshold, and a success starts the count again', () => {
    const b = sut();
    b.failed();
    b.failed();
    expect(b.admit()).toEqual({ ok: true, probe: false });
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.open).toBe(false);
  });

  it('opens at the threshold for the cooldown, then lets exactly one probe through', () => {
    now = 1_000;
    const b = sut();
    for (let i = 0; i < 3; i++) b.failed();
    expect(b.admit()).toEqual({ ok: false, retryAt: new Date(31_000) });
    now = 31_000;
    expect(b.admit()).toEqual({ ok: true, probe: true });
    expect(b.admit()).toMatchObject({ ok: false }); // the probe is in flight
    b.succeeded();
    expect(b.admit()).toEqual({ ok: true, probe: false });
  });

  it('a failed probe opens it for another cooldown; an abandoned one frees the slot', () => {
    now = 0;
    const b = sut();
    for (let i = 0; i < 3; i++) b.failed();
    now = 30_000;
    expect(b.admit()).toMatchObject({ ok: true, probe: true });
    b.failed();
    expect(b.admit()).toEqual({ ok: false, retryAt: new Date(60_000) });
    now = 60_000;
    expect(b.admit()).toMatchObject({ probe: true });
    b.abandoned();
    expect(b.admit()).toMatchObject({ probe: true });
  });
});
