import { Injectable } from '@nestjs/common';
import { LegacyHashSettingRepository } from './legacy-hash-setting.repository';
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

  constructor(private readonly repo: LegacyHashSettingRepository) {}

  async current(): Promise<readonly string[]> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.settings;
    this.reading ??= this.repo
      .all()
      .then((all) => {
        const settings = all.sort();
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
    for (const setting of settings) await this.repo.add(setting, Date.now());
    if (settings.some((s) => !this.cached?.settings.includes(s))) this.cached = null;
  }

  /** After an upgrade: the setting goes once no hash of it is left, in one conditional DELETE. */
  async retire(setting: string): Promise<void> {
    if (await this.repo.removeUnused(setting)) this.cached = null;
  }
}
