import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorage, getStorageToken } from '@nestjs/throttler';
import { Gauge } from 'prom-client';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { DeliveryChannels } from '@/otp/delivery/delivery-channels';
import { SharedOrLocalStorage } from '@/throttle/shared-or-local.storage';
import { CREDENTIAL_SOURCE, CredentialSource } from '@/users/credentials/credential-source';
import { MetricsRegistry } from './metrics.registry';

/**
 * States an operator alerts on, read from their owners when Prometheus scrapes, so that no flow pushes
 * a value and none can drift: the circuit breakers, maintenance mode, and whether throttling counts per
 * process because Redis cannot answer. Each is a 0 or a 1.
 */
@Injectable()
export class StateMetrics implements OnModuleInit {
  private readonly log = new Logger('Metrics');

  constructor(
    private readonly m: MetricsRegistry,
    @Inject(CREDENTIAL_SOURCE) private readonly source: CredentialSource,
    private readonly maintenance: MaintenanceService,
    @Inject(getStorageToken()) private readonly throttleStorage: ThrottlerStorage,
    private readonly delivery: DeliveryChannels,
  ) {}

  onModuleInit(): void {
    const { registry } = this.m;
    // Every breaker of this process: the credential source's, and one per passcode channel type.
    const breakers = [this.source.breaker, ...this.delivery.breakers.values()].filter((b) => b !== undefined);
    new Gauge({
      name: 'pxauth_breaker_open',
      help: 'Circuit breakers of this process, by what they guard: 1 open (calls refused at once), 0 closed.',
      labelNames: ['breaker'] as const,
      registers: [registry],
      collect() {
        for (const b of breakers) this.set({ breaker: b.name }, b.open ? 1 : 0);
      },
    });

    const maintenance = this.maintenance;
    const log = this.log;
    new Gauge({
      name: 'pxauth_maintenance_mode',
      help: 'Maintenance mode as this replica reads it for every Plaid call: 1 on (Plaid gets 503), 0 off.',
      registers: [registry],
      async collect() {
        try {
          this.set((await maintenance.state()).enabled ? 1 : 0);
        } catch (err) {
          // A database that cannot answer keeps the last value; the scrape itself still answers.
          log.warn({ reason: (err as Error).message }, 'maintenance mode could not be read for /metrics');
        }
      },
    });

    const storage = this.throttleStorage;
    new Gauge({
      name: 'pxauth_throttle_store_fallback',
      help: 'Throttling limits held by this process alone because Redis (REDIS_URL) does not answer: 1 yes, 0 no.',
      registers: [registry],
      collect() {
        this.set(storage instanceof SharedOrLocalStorage && storage.perProcess ? 1 : 0);
      },
    });
  }
}
