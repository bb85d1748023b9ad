import { Injectable } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { apiText, PxError } from '@/common/errors/px.error';
import { ServiceSettingRepository } from './service-setting.repository';

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
    private readonly settings: ServiceSettingRepository,
    private readonly config: AppConfig,
  ) {}

  /** Read on every Plaid call (every replica must see a change at once): one plain indexed SELECT. */
  async state(): Promise<MaintenanceState> {
    const value = await this.settings.valueOf(KEY);
    return value !== null ? (JSON.parse(value) as MaintenanceState) : { enabled: false, retry_at: null, message: null };
  }

  async set(enabled: boolean, retryAt?: Date, message?: string): Promise<MaintenanceState> {
    const state: MaintenanceState = {
      enabled,
      retry_at: enabled ? (retryAt ?? new Date(Date.now() + this.config.MAINTENANCE_RETRY_AFTER)).toISOString() : null,
      message: enabled ? (message ?? null) : null,
    };
    await this.settings.put(KEY, JSON.stringify(state), Date.now());
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
    return PxError.unavailable(retryAt, s.message ?? apiText('unavailable.maintenance'));
  }
}
