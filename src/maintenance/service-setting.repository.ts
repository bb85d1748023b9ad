import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { runSql } from '@/database/sql';
import { ServiceSetting } from './service-setting.entity';

/** service_setting's statements: one row per setting, by key. */
@Injectable()
export class ServiceSettingRepository {
  constructor(@InjectRepository(ServiceSetting) private readonly settings: Repository<ServiceSetting>) {}

  /** The setting's value, or null when it was never set: one plain indexed SELECT, on every Plaid call. */
  async valueOf(key: string): Promise<string | null> {
    const { rows } = await runSql<{ value: string }>(
      this.settings.manager.connection,
      'SELECT value FROM service_setting WHERE "key" = ?',
      [key],
    );
    return rows[0]?.value ?? null;
  }

  /** Sets the value, whether or not the setting exists: one upsert. */
  async put(key: string, value: string, now: number): Promise<void> {
    await this.settings.upsert({ key, value, updatedAt: now }, ['key']);
  }
}
