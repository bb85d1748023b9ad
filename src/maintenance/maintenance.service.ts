import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { PxError } from '@/common/errors/px.error';
import { runSql } from '@/database/sql';
import { ServiceSetting } from './service-setting.entity';

const KEY = 'maintenance';

export interface MaintenanceState {
  enabled: boolean;
  retry_at: string | null;
  message: string | null;
}

/** Maintenance mode, kept in the database so every replica answers 503 at once. */
@Injectable()
export class MaintenanceService {
  constructor(
    @InjectRepository(ServiceSetting) private readonly settings: Repository<ServiceSetting>,
    private readonly config: AppConfig,
  ) {}

  /** Read on every Plaid call (every replica must see a change at once): one plain indexed SELECT. */
  async state(): Promise<MaintenanceState> {
    const { rows } = await runSql<{ value: string }>(
      this.settings.manager.connection,
      'SELECT value FROM service_setting WHERE "key" = ?',
      [KEY],
    );
    return rows[0]
      ? (JSON.parse(rows[0].value) as MaintenanceState)
      : { enabled: false, retry_at: null, message: null };
  }

  async set(enabled: boolean, retryAt?: Date, message?: string): Promise<MaintenanceState> {
    const state: MaintenanceState = {
      enabled,
      retry_at: enabled ? (retryAt ?? new Date(Date.now() + this.config.MAINTENANCE_RETRY_AFTER)).toISOString() : null,
      message: enabled ? (message ?? null) : null,
    };
    await this.settings.upsert({ key: KEY, value: JSON.stringify(state), updatedAt: Date.now() }, ['key']);
    return state;
  }

  /** Step 1 of every Plaid call: maintenance on gives 503 with its retry_at. */
  async assertOpen(): Promise<void> {
    const closed = await this.closed();
    if (closed) throw closed;
  }

  /** The 503 that maintenance answers with, or null when the service is open. */
  async closed(): Promise<PxError | null> {
    const s = await this.state();
    if (!s.enabled) return null;
    const retryAt =
      s.retry_at && Date.parse(s.retry_at) > Date.now() ? new Date(s.retry_at) : new Date(Date.now() + 60_000);
    return PxError.unavailable(retryAt, s.message ?? 'The institution is down for maintenance.');
  }
}
