import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** One of a client's secrets, as its SHA-256 only. Two may be active at once, for rotation. */
@Entity('partner_secret')
@Index('idx_partner_secret_client', ['clientId'])
// One active secret per slot (migration 1764100000000): never two in a slot, never three in all.
@Index('uq_partner_secret_active_slot', ['clientId', 'slot'], { unique: true, where: 'revoked_at IS NULL' })
export class PartnerSecret {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @Column({ type: 'integer' }) slot: number;
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 }) secretHash: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs }) revokedAt: number | null;
}
