import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import { PxError } from '@/common/errors/px.error';
import { RequestContextStore } from '@/common/http/request-context';
import { EventType, ThrottleOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { ThrottledError } from './throttled.error';

export type ThrottleScope = 'address' | 'client';

/**
 * THROTTLE_PER_ADDRESS and THROTTLE_PER_CLIENT (docs/operations.md#shedding-and-throttling) through @nestjs/throttler, its
 * counters in Redis when REDIS_URL is set so that the limits hold across replicas. Past a limit the
 * answer is 503 with retry_at: Plaid's contract has no 429. While Redis cannot answer the counters are
 * this process's own (SharedOrLocalStorage); a store that fails anyway lets the request through, logged:
 * throttling protects the service and must not stop it.
 */
abstract class PlaidThrottleGuard extends ThrottlerGuard {
  protected abstract readonly scope: ThrottleScope;
  private readonly log = new Logger('Throttle');
  @Inject(DomainEvents) private readonly events: DomainEvents;

  async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = this.throttlers.filter((t) => t.name === this.scope && Number(t.limit) > 0);
  }

  protected async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (err) {
      if (err instanceof PxError) throw err;
      this.log.warn({ scope: this.scope, reason: (err as Error)?.message }, 'throttle store unavailable; not limited');
      return true;
    }
  }

  protected async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    await this.events.publish({
      type: EventType.Throttle,
      outcome: this.scope === 'client' ? ThrottleOutcome.PerClient : ThrottleOutcome.PerAddress,
    });
    const retryAt = new Date(Date.now() + Math.max(1, detail.timeToBlockExpire) * 1_000);
    throw new ThrottledError(this.scope, retryAt);
  }
}

/** Per source address, before the partner's credentials are even looked at. */
@Injectable()
export class AddressThrottleGuard extends PlaidThrottleGuard {
  protected readonly scope = 'address';

  protected getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(String(req.ip));
  }
}

/** Per Plaid client, after PartnerGuard: only an authenticated client id counts, so none can be spent by another. */
@Injectable()
export class ClientThrottleGuard extends PlaidThrottleGuard {
  protected readonly scope = 'client';

  protected getTracker(): Promise<string> {
    return Promise.resolve(RequestContextStore.get()?.clientId ?? 'unknown');
  }
}
