import { Injectable } from '@nestjs/common';
import { PartnerClientRepository } from './partner-client.repository';

export interface ClientView {
  client_id: string;
  name: string;
  created_at: string;
  /** The active secrets by slot (1 or 2, as clients:rotate and clients:retire name them); never a secret. */
  secrets: { slot: number; created_at: string }[];
  redirect_uris: string[];
}

const iso = (ms: string | number) => new Date(Number(ms)).toISOString();

/** Plaid's clients, their active secret slots and redirect URIs, oldest client first. */
@Injectable()
export class ClientListingService {
  constructor(private readonly repo: PartnerClientRepository) {}

  async list(): Promise<ClientView[]> {
    const [clients, secrets, uris] = await Promise.all([
      this.repo.listClients(),
      this.repo.listActiveSecrets(),
      this.repo.listRedirectUris(),
    ]);
    return clients.map((c) => ({
      client_id: c.id,
      name: c.name,
      created_at: iso(c.createdAt),
      secrets: secrets
        .filter((s) => s.clientId === c.id)
        .map((s) => ({ slot: Number(s.slot), created_at: iso(s.createdAt) })),
      redirect_uris: uris.filter((u) => u.clientId === c.id).map((u) => u.uri),
    }));
  }
}
