import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** A message the sandbox "delivered": the one table that holds a passcode in clear (docs/api.md#staff-api). */
@Entity('outbox_message')
@Index('idx_outbox_recipient', ['recipient'])
export class OutboxMessage {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 8 }) channel: string;
  @Column({ type: 'varchar', length: 254 }) recipient: string;
  @Column({ type: 'text' }) body: string;
  @Column({ name: 'challenge_id', type: 'varchar', length: 43, nullable: true }) challengeId: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
}
