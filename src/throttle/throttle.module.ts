import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage, getStorageToken } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Application } from 'express';
import Redis from 'ioredis';
import { AppConfig } from '@/config/app-config';
import { LOCAL_FALLBACK_MS, SharedOrLocalStorage } from './shared-or-local.storage';
import { AddressThrottleGuard, ClientThrottleGuard } from './throttle.guard';
import { trustProxyValue } from './trust-proxy';

// A throttle counter that takes longer than this is skipped (the request goes on): never a hang.
const REDIS_COMMAND_TIMEOUT_MS = 500;
const log = new Logger('Throttle');

function storageFor(config: AppConfig): ThrottlerStorage | undefined {
  if (!config.REDIS_URL) return undefined;
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
  });
  // The connection's errors once per outage; each fall back to this process's counters (at most one every
  // LOCAL_FALLBACK_MS, in the request that met it) on its own line.
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) log.warn({ reason: err.message }, 'Redis unavailable; throttling per process until it is back');
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  const fellBack = (err: unknown) =>
    log.warn(
      { reason: (err as Error)?.message, for_ms: LOCAL_FALLBACK_MS },
      'Redis did not answer; throttling per process for now',
    );
  return new SharedOrLocalStorage(new ThrottlerStorageRedisService(redis), fellBack);
}

/** Requests per second (ttl 1 s), keyed the same on every replica so that Redis sums them. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [
          { name: 'address', ttl: 1_000, limit: config.THROTTLE_PER_ADDRESS },
          { name: 'client', ttl: 1_000, limit: config.THROTTLE_PER_CLIENT },
        ],
        storage: storageFor(config),
        setHeaders: false,
        generateKey: (_context, tracker, name) => `pxauth:throttle:${name}:${tracker}`,
      }),
    }),
  ],
  providers: [AddressThrottleGuard, ClientThrottleGuard],
  exports: [ThrottlerModule, AddressThrottleGuard, ClientThrottleGuard],
})
export class ThrottleModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly adapter: HttpAdapterHost,
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
  ) {}

  onModuleInit(): void {
    // Behind a proxy the source address is the proxy's unless it is trusted to name the client's.
    const trust = trustProxyValue(this.config.TRUST_PROXY);
    if (trust !== undefined) this.adapter.httpAdapter.getInstance<Application>().set('trust proxy', trust);
  }

  onApplicationShutdown(): void {
    if (!(this.storage instanceof SharedOrLocalStorage)) return;
    this.storage.onApplicationShutdown();
    if (this.storage.shared instanceof ThrottlerStorageRedisService) this.storage.shared.redis.disconnect();
  }
}
