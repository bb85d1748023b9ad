import { EventType, LoginOutcome, StaffOutcome } from './domain-event';
import type { DomainEvent } from './domain-event';
import { DomainEvents } from './domain-events';

describe(DomainEvents.name, () => {
  const issued: DomainEvent = { type: EventType.TokenIssue, outcome: StaffOutcome.Issued, userId: 'u1' };
  const success: DomainEvent = { type: EventType.Login, outcome: LoginOutcome.Success, userId: 'u1' };
  const setup = () => {
    const sut = new DomainEvents();
    const deliveries: DomainEvent[][] = [];
    sut.subscribe((events) => {
      deliveries.push([...events]);
      return Promise.resolve();
    });
    return { sut, deliveries };
  };

  it('delivers an event published outside a flow at once, alone', async () => {
    const { sut, deliveries } = setup();
    await sut.publish(issued);
    expect(deliveries).toEqual([[issued]]);
  });

  it("holds a flow's events and delivers them together, in order, before the flow's answer", async () => {
    const { sut, deliveries } = setup();
    const answer = await sut.inOneWrite(async () => {
      await sut.publish(issued);
      await new Promise((r) => setImmediate(r));
      await sut.publish(success);
      expect(deliveries).toEqual([]);
      return 'token';
    });
    expect(answer).toBe('token');
    expect(deliveries).toEqual([[issued, success]]);
  });

  it('delivers what a refused flow published before its refusal reaches the caller', async () => {
    const { sut, deliveries } = setup();
    const refusal = new Error('refused');
    await expect(
      sut.inOneWrite(async () => {
        await sut.publish(success);
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(deliveries).toEqual([[success]]);
  });

  it('fails the flow when a subscriber cannot write its events (an audit that cannot be written is an outage)', async () => {
    const sut = new DomainEvents();
    const outage = new Error('database unreachable');
    sut.subscribe(() => Promise.reject(outage));
    await expect(sut.inOneWrite(() => sut.publish(success))).rejects.toBe(outage);
  });

  it('joins an enclosing flow, and delivers nothing for a flow that published nothing', async () => {
    const { sut, deliveries } = setup();
    await sut.inOneWrite(async () => {
      await sut.inOneWrite(() => sut.publish(issued));
      expect(deliveries).toEqual([]);
      await sut.publish(success);
    });
    await sut.inOneWrite(() => Promise.resolve());
    expect(deliveries).toEqual([[issued, success]]);
  });

  it('delivers at once what a continuation of the flow publishes after the flow ended', async () => {
    const { sut, deliveries } = setup();
    let late!: Promise<void>;
    const published = new Promise<void>((resolve) => {
      void sut.inOneWrite(() => {
        late = new Promise<void>((r) => setTimeout(r, 5)).then(() => sut.publish(issued));
        resolve();
        return Promise.resolve();
      });
    });
    await published;
    await late;
    expect(deliveries).toEqual([[issued]]);
  });
});
