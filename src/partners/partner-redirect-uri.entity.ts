import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@/database/columns';

/** A redirect URI registered for a Plaid client: the OAuth flow redirects nowhere else (docs/oauth.md). */
@Entity('partner_redirect_uri')
export class PartnerRedirectUri {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 }) clientId: string;
  @PrimaryColumn({ type: 'varchar', length: 512 }) uri: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt: number;
}
