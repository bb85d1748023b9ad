import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { CHECK_CLASSES, CheckAdmission } from '@/users/check-admission';
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
 * The checks are labelled by `class`, `legacy` (Plaid's calls) or `oauth` (the public sign-in pages),
 * the two shares of the admission control.
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
      help: 'argon2id verifies started and not finished, by class: waiting for a slot or running on a libuv thread.',
      labelNames: ['class'] as const,
      registers: [registry],
      collect() {
        for (const c of CHECK_CLASSES) this.set({ class: c }, hasher.inFlight[c]);
      },
    });
    const admission = this.admission;
    new Gauge({
      name: 'pxauth_argon2_checks',
      help: 'Password and KBA checks in the admission control, by class: running, and queued for a slot.',
      labelNames: ['state', 'class'] as const,
      registers: [registry],
      collect() {
        const { byClass } = admission.state;
        for (const c of CHECK_CLASSES) {
          this.set({ state: 'running', class: c }, byClass[c].running);
          this.set({ state: 'queued', class: c }, byClass[c].queued);
        }
      },
    });
    this.hasher.onVerified(({ class: c, waitSeconds, seconds }) => {
      this.m.argon2Time.observe({ class: c }, seconds);
      this.m.argon2Wait.observe({ class: c }, waitSeconds);
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
