import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { runSql } from '@/database/sql';
import { PartnerClient } from './partner-client.entity';
import { PartnerRedirectUri } from './partner-redirect-uri.entity';

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

/** Reads of Plaid clients and their OAuth redirect URIs (their writes are PartnerSecretRepository's transactions). */
@Injectable()
export class PartnerClientRepository {
  constructor(
    @InjectRepository(PartnerClient) private readonly clients: Repository<PartnerClient>,
    @InjectRepository(PartnerRedirectUri) private readonly redirectUris: Repository<PartnerRedirectUri>,
  ) {}

  async count(): Promise<number> {
    return this.clients.count();
  }

  /** The names of these clients, those that exist. */
  async namesOf(ids: string[]): Promise<{ id: string; name: string }[]> {
    return this.clients.find({ select: { id: true, name: true }, where: { id: In(ids) } });
  }

  async redirectUrisOf(clientId: string): Promise<string[]> {
    const rows = await this.redirectUris.findBy({ clientId });
    return rows.map((r) => r.uri);
  }

  /** Every client, oldest first (clients:list). */
  listClients(): Promise<ClientRow[]> {
    return runSql<ClientRow>(
      this.clients.manager.connection,
      'SELECT id, name, created_at AS "createdAt" FROM partner_client ORDER BY created_at, id',
    ).then((r) => r.rows);
  }

  /** The active secrets' slots and ages: their digests are never selected. */
  listActiveSecrets(): Promise<ActiveSecretRow[]> {
    return runSql<ActiveSecretRow>(
      this.clients.manager.connection,
      'SELECT client_id AS "clientId", slot, created_at AS "createdAt" FROM partner_secret ' +
        'WHERE revoked_at IS NULL ORDER BY client_id, slot',
    ).then((r) => r.rows);
  }

  /** Every registered redirect URI. */
  listRedirectUris(): Promise<RedirectUriRow[]> {
    return runSql<RedirectUriRow>(
      this.clients.manager.connection,
      'SELECT client_id AS "clientId", uri FROM partner_redirect_uri ORDER BY client_id, created_at, uri',
    ).then((r) => r.rows);
  }
}
