import { Injectable } from '@nestjs/common';
import type { DomainEvent } from './domain-event';

export type DomainEventHandler = (event: DomainEvent) => Promise<void>;

/**
 * In-process, awaited: `publish` resolves once every subscriber has handled the event, so an answer
 * never leaves before its audit record is written, and a failing subscriber fails the request (an
 * audit that cannot be written is an outage, not something to skip).
 */
@Injectable()
export class DomainEvents {
  private readonly handlers: DomainEventHandler[] = [];

  subscribe(handler: DomainEventHandler): void {
    this.handlers.push(handler);
  }

  async publish(event: DomainEvent): Promise<void> {
    for (const handle of this.handlers) await handle(event);
  }
}
