import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/**
 * A setting (see hashSetting) of imported password hashes that some user may still hold, not
 * upgraded yet: each login check pays one verify of each (PasswordHasher.verifyLogin). Added by
 * users:import after it stored such a hash, removed when the last hash of it was upgraded.
 */
@Entity('legacy_hash_setting')
export class LegacyHashSetting {
  @PrimaryColumn({ name: 'setting', type: 'varchar', length: 64 }) setting: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
}
