import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/**
 * A sign-in whose password was right, found by the SHA-256 of the id its sealed cookie carries: what
 * Plaid asked for (client, redirect URI, state, PKCE challenge, copied from the cookie), the user and the
 * challenge to answer. Before the password nothing is stored: the cookie alone holds the sign-in. The row
 * is kept, ended, until it expires, so that a copy of the cookie opens nothing after the redirect.
 */
@Entity('oauth_sign_in')
export class SignIn {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 }) idHash: string;
  @Column({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @Column({ name: 'redirect_uri', type: 'varchar', length: 512 }) redirectUri: string;
  /** Plaid's opaque state, echoed on every redirect: up to 1,024 characters (docs/oauth.md). */
  @Column({ type: 'text' }) state: string;
  @Column({ name: 'code_challenge', type: 'varchar', length: 128, nullable: true }) codeChallenge: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) nonce: string | null;
  @Column({ name: 'institution_id', type: 'varchar', length: 64, nullable: true }) institutionId: string | null;
  @Column({ type: 'varchar', length: 8 }) locale: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32, nullable: true }) userId: string | null;
  @Column({ name: 'challenge_id', type: 'varchar', length: 32, nullable: true }) challengeId: string | null;
  /** The challenge as the pages show it (kind, send methods masked, question texts): never a secret. */
  @Column({ type: 'text', nullable: true }) challenge: string | null;
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs }) expiresAt: number;
  /** When the sign-in gave its code or its error redirect: set once, by a conditional UPDATE. */
  @Column({ name: 'ended_at', type: 'bigint', nullable: true, transformer: epochMs }) endedAt: number | null;
}
