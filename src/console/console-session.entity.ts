import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';
import type { StaffRole } from '@/staff-auth/staff-key.entity';

/**
 * A support console session (docs/console.md). Kept in the database so that it works on every
 * replica; the cookie's value is 256 random bits and only its SHA-256 is stored, like staff keys.
 */
@Entity('console_session')
@Index('idx_console_session_seen', ['lastSeenAt'])
export class ConsoleSession {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 }) idHash: string;
  /** The staff key signed in with; null for a person signed in through the OpenID Connect provider. */
  @Column({ name: 'staff_id', type: 'varchar', length: 32, nullable: true }) staffId: string | null;
  /** A person's: their `sub` at the provider, their name as it gave it, and the role their claim mapped to. */
  @Column({ type: 'varchar', length: 255, nullable: true }) subject: string | null;
  @Column({ name: 'person_name', type: 'varchar', length: 200, nullable: true }) personName: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) role: StaffRole | null;
  /** The person's ID token sealed under ENCRYPTION_KEYS (the hint of the provider's logout), never in clear. */
  @Column({ name: 'id_token', type: 'text', nullable: true }) idToken: string | null;
  /** The sign-in; never moved: a session older than CONSOLE_SESSION_MAX_AGE is over, however active. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  /** Moved on by every request; a session idle for CONSOLE_SESSION_TTL is over. */
  @Column({ name: 'last_seen_at', type: 'bigint', transformer: epochMs }) lastSeenAt: number;
}
