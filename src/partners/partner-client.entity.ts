import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** A Plaid client: the X-PLAID-CLIENT-ID it presents. */
@Entity('partner_client')
export class PartnerClient {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
}
