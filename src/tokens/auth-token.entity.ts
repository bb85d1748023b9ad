import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** An auth_token given to Plaid: only its SHA-256 is kept (PRODUCT.md section 4). */
@Entity('auth_token')
@Index('idx_auth_token_user', ['userId'])
@Index('uq_auth_token_hash', ['tokenHash'], { unique: true })
export class AuthToken {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32 }) userId: string;
  @Column({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @Column({ name: 'institution_id', type: 'varchar', length: 64 }) institutionId: string;
  @Column({ name: 'issued_at', type: 'bigint', transformer: epochMs }) issuedAt: number;
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs }) expiresAt: number;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs }) revokedAt: number | null;
}
