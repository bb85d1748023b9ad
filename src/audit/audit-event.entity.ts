import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** What happened, to whom, through whom (docs/api.md#staff-api). Never a secret in any column. */
@Entity('audit_event')
@Index('idx_audit_user', ['userId'])
@Index('idx_audit_at', ['at'])
@Index('idx_audit_request', ['requestId'])
export class AuditEvent {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'bigint', transformer: epochMs }) at: number;
  @Column({ type: 'varchar', length: 40 }) type: string;
  @Column({ type: 'varchar', length: 40 }) outcome: string;
  @Column({ name: 'user_id', type: 'varchar', length: 32, nullable: true }) userId: string | null;
  @Column({ name: 'institution_id', type: 'varchar', length: 64, nullable: true }) institutionId: string | null;
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true }) clientId: string | null;
  /** Which way the customer came (docs/console.md, "The timeline"): `legacy` (Plaid's API) or `oauth` (the sign-in pages). */
  @Column({ type: 'varchar', length: 16, nullable: true }) path: string | null;
  @Column({ name: 'staff_id', type: 'varchar', length: 32, nullable: true }) staffId: string | null;
  /** A person signed in to the console through the bank's OpenID Connect provider: their `sub` there, and name. */
  @Column({ name: 'staff_sub', type: 'varchar', length: 255, nullable: true }) staffSub: string | null;
  @Column({ name: 'staff_name', type: 'varchar', length: 200, nullable: true }) staffName: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true }) sourceIp: string | null;
  @Column({ type: 'text', nullable: true }) detail: string | null;
}
