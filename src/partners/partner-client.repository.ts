import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PartnerClient } from './partner-client.entity';
import { PartnerRedirectUri } from './partner-redirect-uri.entity';

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

  async redirectUrisOf(clientId: string): Promise<string[]> {
    const rows = await this.redirectUris.findBy({ clientId });
    return rows.map((r) => r.uri);
  }
}
