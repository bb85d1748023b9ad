import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';
import type { FactorKind } from './factor-kind';

export type UserSource = 'local' | 'http' | 'ldap';

/**
 * A bank customer as pxauth knows them. `id` is the opaque, permanent `user_id` given to Plaid;
 * secrets are only ever stored as argon2id hashes or AES-GCM ciphertext.
 */
@Entity('users')
@Index('uq_users_institution_username', ['institutionId', 'usernameNorm'], { unique: true })
@Index('uq_users_institution_source_reference', ['institutionId', 'source', 'reference'], { unique: true })
// The search's indexes (migration UserSearch): an operator class and expressions the entity cannot describe.
@Index('idx_users_username_prefix', { synchronize: false })
@Index('idx_users_email_lower', { synchronize: false })
@Index('idx_users_phone', ['phone'])
@Index('idx_users_locked_until', ['lockedUntil'])
export class User {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ name: 'institution_id', type: 'varchar', length: 64 }) institutionId: string;
  @Column({ type: 'varchar', length: 256 }) username: string;
  @Column({ name: 'username_norm', type: 'varchar', length: 256 }) usernameNorm: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 200 }) passwordHash: string;
  @Column({ type: 'varchar', length: 20, nullable: true }) phone: string | null;
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ name: 'totp_secret', type: 'varchar', length: 200, nullable: true }) totpSecretSealed: string | null;
  @Column({ name: 'totp_last_step', type: 'bigint', nullable: true, transformer: epochMs }) totpLastStep: number | null;
  @Column({ name: 'mfa_preference', type: 'varchar', length: 8, nullable: true }) mfaPreference: FactorKind | null;
  /** Moves on at a password change, a factor reset or a lock: what was begun under an older one ends. */
  @Column({ name: 'auth_epoch', type: 'integer', default: 0 }) authEpoch: number;
  @Column({ name: 'terms_accepted_version', type: 'integer' }) termsAcceptedVersion: number;
  /** Where the password is checked (docs/credential-sources.md); `reference`: the source's stable id for a shadow user. */
  @Column({ type: 'varchar', length: 8, default: 'local' }) source: UserSource;
  @Column({ type: 'varchar', length: 256, nullable: true }) reference: string | null;
  /**
   * The person's own lock and count (docs/security.md, "Locks follow the person"): wrong second-factor answers,
   * staff locks, and locks that wrong passwords earned under a name this user holds. `lockedUntil` is 0
   * when unlocked and FOREVER when only staff can unlock; `inFlight` is the part of `failures` not judged yet.
   */
  @Column({ type: 'integer', default: 0 }) failures: number;
  @Column({ name: 'in_flight', type: 'integer', default: 0 }) inFlight: number;
  @Column({ name: 'lock_count', type: 'integer', default: 0 }) lockCount: number;
  @Column({ name: 'locked_until', type: 'bigint', default: 0, transformer: epochMs }) lockedUntil: number;
  @Column({ name: 'locked_at', type: 'bigint', nullable: true, transformer: epochMs }) lockedAt: number | null;
  @Column({ name: 'lock_reason', type: 'varchar', length: 200, nullable: true }) lockReason: string | null;
  @Column({ name: 'guard_updated_at', type: 'bigint', default: 0, transformer: epochMs }) guardUpdatedAt: number;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs }) updatedAt: number;
}
