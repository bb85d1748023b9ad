import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/**
 * A support console session (PRODUCT.md section 9). Kept in the database so that it works on every
 * replica; the cookie's value is 256 random bits and only its SHA-256 is stored, like staff keys.
 */
@Entity('console_session')
@Index('idx_console_session_seen', ['lastSeenAt'])
export class ConsoleSession {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 }) idHash: string;
  @Column({ name: 'staff_id', type: 'varchar', length: 32 }) staffId: string;
  /** The sign-in; never moved: a session older than CONSOLE_SESSION_MAX_AGE is over, however active. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  /** Moved on by every request; a session idle for CONSOLE_SESSION_TTL is over. */
  @Column({ name: 'last_seen_at', type: 'bigint', transformer: epochMs }) lastSeenAt: number;
}
