import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/**
 * Consecutive failures and lock state of one (institution, username), known user or not, so
 * that a lockout tells an attacker nothing about which usernames exist (docs/api.md#post-usersauth_token).
 * `lockedUntil` is 0 when unlocked and FOREVER when only staff can unlock.
 */
@Entity('login_guard')
export class LoginGuard {
  @PrimaryColumn({ name: 'institution_id', type: 'varchar', length: 64 }) institutionId: string;
  @PrimaryColumn({ name: 'username_norm', type: 'varchar', length: 256 }) usernameNorm: string;
  @Column({ type: 'integer', default: 0 }) failures: number;
  /** Of `failures`, the attempts taken and not yet judged: a right password gives its attempt back. */
  @Column({ name: 'in_flight', type: 'integer', default: 0 }) inFlight: number;
  @Column({ name: 'lock_count', type: 'integer', default: 0 }) lockCount: number;
  @Column({ name: 'locked_until', type: 'bigint', default: 0, transformer: epochMs }) lockedUntil: number;
  @Column({ name: 'locked_at', type: 'bigint', nullable: true, transformer: epochMs }) lockedAt: number | null;
  @Column({ name: 'lock_reason', type: 'varchar', length: 200, nullable: true }) lockReason: string | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs }) updatedAt: number;
}
