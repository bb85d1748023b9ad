import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';

export interface ClientRow {
  id: string;
  name: string;
  createdAt: string | number;
}

export interface ActiveSecretRow {
  clientId: string;
  slot: number | string;
  createdAt: string | number;
}

export interface RedirectUriRow {
  clientId: string;
  uri: string;
}

/**
 * Plaid's clients as a list for operators (clients:list). The secrets' digests are never selected:
 * which slots are active, and since when, is all an operator needs to rotate one.
 */
@Injectable()
export class ClientListingRepository {
  constructor(private readonly ds: DataSource) {}

  clients(): Promise<ClientRow[]> {
    return runSql<ClientRow>(
      this.ds,
      'SELECT id, name, created_at AS "createdAt" FROM partner_client ORDER BY created_at, id',
    ).then((r) => r.rows);
  }

  activeSecrets(): Promise<ActiveSecretRow[]> {
    return runSql<ActiveSecretRow>(
      this.ds,
      'SELECT client_id AS "clientId", slot, created_at AS "createdAt" FROM partner_secret ' +
        'WHERE revoked_at IS NULL ORDER BY client_id, slot',
    ).then((r) => r.rows);
  }

  redirectUris(): Promise<RedirectUriRow[]> {
    return runSql<RedirectUriRow>(
      this.ds,
      'SELECT client_id AS "clientId", uri FROM partner_redirect_uri ORDER BY client_id, created_at, uri',
    ).then((r) => r.rows);
  }
}
