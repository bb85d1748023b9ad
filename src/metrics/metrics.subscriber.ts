import { Injectable, OnModuleInit } from '@nestjs/common';
import { CommonOutcome, DomainEvent, EventType, LoginOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { MetricsRegistry } from './metrics.registry';

/**
 * The domain events as counters, beside the audit trail: the flows publish once, and neither knows
 * the other. Synchronous and in memory, so it adds nothing measurable to a request.
 */
@Injectable()
export class MetricsSubscriber implements OnModuleInit {
  constructor(
    private readonly bus: DomainEvents,
    private readonly m: MetricsRegistry,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe((events) => {
      for (const e of events) this.count(e);
      return Promise.resolve();
    });
  }

  private count(e: DomainEvent): void {
    const detail = e.detail ?? {};
    const label = (v: unknown) => (typeof v === 'string' && v ? v : 'none');
    // The class is the flow's path (legacy or oauth), as the admission control shares the checks by it.
    if (e.outcome === (CommonOutcome.Overloaded as string))
      this.m.sheds.inc({ flow: e.type, class: detail.path === 'oauth' ? 'oauth' : 'legacy' });
    switch (e.type) {
      case EventType.Login:
        this.m.logins.inc({ outcome: e.outcome });
        if (e.outcome === LoginOutcome.ChallengeIssued) this.m.challengesIssued.inc({ kind: label(detail.kind) });
        return;
      case EventType.TwoFactor:
        this.m.challengeAnswers.inc({ kind: label(detail.kind), outcome: e.outcome });
        return;
      case EventType.OtpSend:
        this.m.sends.inc({ channel: label(detail.method), result: e.outcome });
        return;
      case EventType.Lock:
        this.m.locks.inc({ outcome: e.outcome });
        return;
      case EventType.Unlock:
        this.m.unlocks.inc();
        return;
      case EventType.Throttle:
        this.m.throttles.inc({ scope: e.outcome });
        return;
      default:
        return;
    }
  }
}
