import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** Service-wide state shared by every replica (maintenance mode). */
@Entity('service_setting')
export class ServiceSetting {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key: string;
  @Column({ type: 'text' }) value: string;
  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs }) updatedAt: number;
}
