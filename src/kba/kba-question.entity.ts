import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One of a user's security questions; the answer only as an argon2id hash of its normal form. */
@Entity('kba_question')
@Index('idx_kba_question_user', ['userId'])
export class KbaQuestion {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32 }) userId: string;
  @Column({ type: 'integer' }) position: number;
  @Column({ type: 'varchar', length: 500 }) text: string;
  @Column({ name: 'answer_hash', type: 'varchar', length: 200 }) answerHash: string;
}
