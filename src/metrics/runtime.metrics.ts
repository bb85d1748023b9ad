import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CheckAdmission } from '@/users/check-admission';
import { PasswordHasher } from '@/users/password-hasher';
import { MetricsRegistry } from './metrics.registry';

/** What pg's Pool tells about itself (TypeORM's PostgreSQL driver keeps it as `master`). */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Gauges read when Prometheus scrapes: argon2 verifies in flight (the queue in front of libuv's
 * threads) and the database pool. SQLite is one connection shared by every request, always open.
 */
@Injectable()
export class RuntimeMetrics implements OnModuleInit {
  constructor(
    private readonly m: MetricsRegistry,
    private readonly hasher: PasswordHasher,
    private readonly admission: CheckAdmission,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const { registry } = this.m;
    const hasher = this.hasher;
    new Gauge({
      name: 'pxauth_argon2_in_flight',
      help: 'argon2id verifies started and not finished: running on a libuv thread or waiting for one.',
      registers: [registry],
      collect() {
        this.set(hasher.inFlight);
      },
    });
    const admission = this.admission;
    new Gauge({
      name: 'pxauth_argon2_checks',
      help: 'Password and KBA checks in the admission queue (PRODUCT.md section 13): running, and queued for a slot.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const { running, queued } = admission.state;
        this.set({ state: 'running' }, running);
        this.set({ state: 'queued' }, queued);
      },
    });
    this.hasher.onVerified(({ waitSeconds, seconds }) => {
      this.m.argon2Time.observe(seconds);
      this.m.argon2Wait.observe(waitSeconds);
    });

    const pool = () => this.pool();
    const engine = this.dataSource.options.type;
    new Gauge({
      name: 'pxauth_db_pool_connections',
      help: 'Database connections by state: total, idle, and requests waiting for one (SQLite: one, shared).',
      labelNames: ['engine', 'state'] as const,
      registers: [registry],
      collect() {
        const p = pool();
        const total = p ? p.totalCount : 1;
        this.set({ engine, state: 'total' }, total);
        this.set({ engine, state: 'idle' }, p ? p.idleCount : 0);
        this.set({ engine, state: 'in_use' }, p ? total - p.idleCount : 1);
        this.set({ engine, state: 'waiting' }, p ? p.waitingCount : 0);
      },
    });
  }

  private pool(): PgPool | undefined {
    const master = (this.dataSource.driver as unknown as { master?: Partial<PgPool> }).master;
    return master && typeof master.totalCount === 'number' ? (master as PgPool) : undefined;
  }
}
