import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';
import type { FactorKind } from '@/users/factor-kind';

export type ChallengeState = 'pending' | 'spent';

export interface SendMethod {
  id: string;
  type: 'sms' | 'voice' | 'email';
  mask: string;
}

/**
 * A 202 challenge (docs/api.md#challenges-202): a row, so it survives restarts and works across
 * replicas. Attempts, sends and spending change only through conditional UPDATEs.
 */
@Entity('challenge')
@Index('idx_challenge_expires', ['expiresAt'])
export class Challenge {
  @PrimaryColumn({ type: 'varchar', length: 43 }) id: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32 }) userId: string;
  @Column({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @Column({ type: 'varchar', length: 8 }) kind: FactorKind;
  @Column({ type: 'varchar', length: 16 }) state: ChallengeState;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @Column({ type: 'integer', default: 0 }) sends: number;
  @Column({ name: 'last_sent_at', type: 'bigint', default: 0, transformer: epochMs }) lastSentAt: number;
  @Column({ name: 'code_hmac', type: 'varchar', length: 64, nullable: true }) codeHmac: string | null;
  @Column({ name: 'code_expires_at', type: 'bigint', nullable: true, transformer: epochMs }) codeExpiresAt:
    number | null;
  /** OTP: the send methods offered, as JSON. KBA: the ids of the questions asked, as JSON. */
  @Column({ type: 'text', default: '[]' }) offered: string;
  @Column({ type: 'varchar', length: 8 }) locale: string;
  /** The user's auth_epoch when the challenge was opened: a later one means it has ended. */
  @Column({ name: 'user_epoch', type: 'integer', default: 0 }) userEpoch: number;
  /** The username as typed at the login that opened it (normalised): its answers count on that name too. */
  @Column({ name: 'login_name', type: 'varchar', length: 256, nullable: true }) loginName: string | null;
  /** Send method ids a provider refused for good, comma-separated (docs/api.md#post-usersuser_idsendotp). */
  @Column({ name: 'refused_methods', type: 'varchar', length: 200, default: '' }) refusedMethods: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs }) expiresAt: number;
  @Column({ name: 'spent_at', type: 'bigint', nullable: true, transformer: epochMs }) spentAt: number | null;
}
