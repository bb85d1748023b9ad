import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';

/** legacy_hash_setting's statements: the settings of imported hashes not upgraded yet. */
@Injectable()
export class LegacyHashSettingRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async all(): Promise<string[]> {
    const r = await runSql<{ setting: string }>(this.ds, 'SELECT setting FROM legacy_hash_setting');
    return r.rows.map((row) => row.setting);
  }

  /** Idempotent, on both engines: a setting already there stays as it is. */
  async add(setting: string, now: number): Promise<void> {
    await runSql(
      this.ds,
      'INSERT INTO legacy_hash_setting (setting, created_at) VALUES (?, ?) ON CONFLICT (setting) DO NOTHING',
      [setting, now],
    );
  }

  /** Deletes the setting if no password hash of it is left, in one conditional DELETE: true if it went. */
  async removeUnused(setting: string): Promise<boolean> {
    const r = await runSql(
      this.ds,
      'DELETE FROM legacy_hash_setting WHERE setting = ? ' +
        'AND NOT EXISTS (SELECT 1 FROM users WHERE substr(password_hash, 1, ?) = ?)',
      [setting, setting.length, setting],
    );
    return r.affected > 0;
  }
}
