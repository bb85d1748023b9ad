import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { DomainEvent } from './domain-event';

/** Handles the events published together: one, or all of one flow's (`inOneWrite`), in order. */
export type DomainEventHandler = (events: readonly DomainEvent[]) => Promise<void>;

interface Held {
  events: DomainEvent[];
  open: boolean;
}

/**
 * In-process, awaited: `publish` resolves once every subscriber has handled the event, so an answer
 * never leaves before its audit record is written, and a failing subscriber fails the request (an
 * audit that cannot be written is an outage, not something to skip).
 */
@Injectable()
export class DomainEvents {
  private readonly handlers: DomainEventHandler[] = [];
  private readonly held = new AsyncLocalStorage<Held>();

  subscribe(handler: DomainEventHandler): void {
    this.handlers.push(handler);
  }

  async publish(event: DomainEvent): Promise<void> {
    const held = this.held.getStore();
    if (held?.open) held.events.push(event);
    else await this.deliver([event]);
  }

  /**
   * Runs `flow` with the events it publishes held back, then hands them to the subscribers together
   * before it returns or throws: a login's events (its token, a lock, its outcome) are one audit write
   * instead of one each, and still written before its answer leaves. A subscriber that fails
   * then fails the flow, as `publish` would have. Inside another such flow it just joins that one.
   */
  async inOneWrite<T>(flow: () => Promise<T>): Promise<T> {
    if (this.held.getStore()?.open) return flow();
    const held: Held = { events: [], open: true };
    const deliverHeld = async () => {
      held.open = false;
      if (held.events.length) await this.deliver(held.events);
    };
    let result: T;
    try {
      result = await this.held.run(held, flow);
    } catch (err) {
      await deliverHeld();
      throw err;
    }
    await deliverHeld();
    return result;
  }

  private async deliver(events: readonly DomainEvent[]): Promise<void> {
    for (const handle of this.handlers) await handle(events);
  }
}
