import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** Legacy auth_tokens and OAuth's access and refresh tokens (docs/api.md#post-usersauth_token and docs/oauth.md). */
export type TokenKind = 'auth_token' | 'access_token' | 'refresh_token';

/** A token given to Plaid: only its SHA-256 is kept (docs/api.md#post-usersauth_token). */
@Entity('auth_token')
@Index('idx_auth_token_grant', ['grantId'])
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
  @Column({ type: 'varchar', length: 16, default: 'auth_token' }) kind: TokenKind;
  /** The authorization code an OAuth token came from: a second use of that code revokes them all. */
  @Column({ name: 'grant_id', type: 'varchar', length: 64, nullable: true }) grantId: string | null;
  /** The user's auth epoch at the grant's sign-in: once it moves (password, factors, a lock), no refresh. */
  @Column({ name: 'user_epoch', type: 'integer', nullable: true }) userEpoch: number | null;
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMs }) revokedAt: number | null;
}
