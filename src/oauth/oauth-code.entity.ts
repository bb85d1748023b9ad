import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/**
 * An authorization code, as its SHA-256: single use, living OAUTH_CODE_TTL, bound to the client, the
 * redirect URI and the PKCE challenge (docs/oauth.md; RFC 6749 4.1.2, RFC 7636).
 */
@Entity('oauth_code')
export class OAuthCode {
  @PrimaryColumn({ name: 'code_hash', type: 'varchar', length: 64 }) codeHash: string;
  @Column({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @Column({ name: 'redirect_uri', type: 'varchar', length: 512 }) redirectUri: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32 }) userId: string;
  @Column({ name: 'code_challenge', type: 'varchar', length: 128, nullable: true }) codeChallenge: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) nonce: string | null;
  /** The user's auth epoch at sign-in: a password change, factor reset or lock before the exchange voids the code. */
  @Column({ name: 'user_epoch', type: 'integer' }) userEpoch: number;
  @Column({ name: 'auth_time', type: 'bigint', transformer: epochMs }) authTime: number;
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs }) expiresAt: number;
  @Column({ name: 'used_at', type: 'bigint', nullable: true, transformer: epochMs }) usedAt: number | null;
  @Column({ name: 'reused_at', type: 'bigint', nullable: true, transformer: epochMs }) reusedAt: number | null;
}
