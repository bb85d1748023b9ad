import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

export const STAFF_ROLES = ['admin', 'support', 'resource-server'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A staff member's key for the internal listener, stored as its SHA-256 (shown once, at creation). */
@Entity('staff_key')
@Index('uq_staff_key_hash', ['keyHash'], { unique: true })
export class StaffKey {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 20 }) role: StaffRole;
  @Column({ name: 'key_hash', type: 'varchar', length: 64 }) keyHash: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs }) revokedAt: number | null;
}
