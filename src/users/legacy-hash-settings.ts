import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';
import { CURRENT_SETTING, hashSetting } from './password-hasher';

/** How long a replica trusts the list it read: a users:import elsewhere is heard of within this. */
const FRESH_MS = 10_000;

/**
 * The settings of imported hashes not upgraded yet (`legacy_hash_setting`), read by every login
 * check (PasswordHasher.verifyLogin). Kept in the database, since users:import runs in another
 * process and every replica must pad its checks alike; cached for FRESH_MS, one read at a time.
 */
@Injectable()
export class LegacyHashSettings {
  private cached: { at: number; settings: readonly string[] } | null = null;
  private reading: Promise<readonly string[]> | null = null;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async current(): Promise<readonly string[]> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.settings;
    this.reading ??= runSql<{ setting: string }>(this.ds, 'SELECT setting FROM legacy_hash_setting')
      .then((r) => {
        const settings = r.rows.map((row) => row.setting).sort();
        this.cached = { at: Date.now(), settings };
        return settings;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /**
   * Called after such hashes are stored (never before: a setting removed meanwhile by `retire`, its
   * users not visible yet, is added again). Idempotent, on both engines.
   */
  async record(hashes: string[]): Promise<void> {
    const settings = [...new Set(hashes.map(hashSetting))].filter((s) => s !== CURRENT_SETTING);
    for (const setting of settings)
      await runSql(
        this.ds,
        'INSERT INTO legacy_hash_setting (setting, created_at) VALUES (?, ?) ON CONFLICT (setting) DO NOTHING',
        [setting, Date.now()],
      );
    if (settings.some((s) => !this.cached?.settings.includes(s))) this.cached = null;
  }

  /** After an upgrade: the setting goes once no hash of it is left, in one conditional DELETE. */
  async retire(setting: string): Promise<void> {
    const r = await runSql(
      this.ds,
      'DELETE FROM legacy_hash_setting WHERE setting = ? ' +
        'AND NOT EXISTS (SELECT 1 FROM users WHERE substr(password_hash, 1, ?) = ?)',
      [setting, setting.length, setting],
    );
    if (r.affected) this.cached = null;
  }
}
