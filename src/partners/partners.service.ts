import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ExpiringMap } from '@/common/cache/expiring-map';
import { randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { PartnerClientRepository } from './partner-client.repository';
import { MAX_REDIRECT_URIS, PLAID_REDIRECT_URI, checkRedirectUri } from './redirect-uris';
import { NewSecret, PartnerSecretRepository } from './partner-secret.repository';

const DUMMY_DIGEST = sha256('pxauth: no such client');

/**
 * How long a process may trust a Plaid client's secrets it has just matched without reading them again:
 * every Plaid call is authenticated, and on a refused `sendOtp` or `2fa` (what Plaid asks again most)
 * that read was the dearest statement. A secret retired in the database stops working on the replica
 * that retired it at once, and on every other replica (or the service, when the CLI retires it) within
 * this (docs/api.md, "Partner authentication"). Only a client whose secret matched is kept, with the
 * digests read then; any other secret is looked up, so a new one works at once and wrong ones cannot
 * fill the cache.
 */
export const PARTNER_SECRET_CACHE_MS = 5_000;
const PARTNER_SECRET_CACHE_MAX = 1_000;

export interface IssuedCredentials {
  client_id: string;
  client_secret: string;
  slot: number;
  redirect_uris?: string[];
}

/**
 * Plaid's client credentials (docs/api.md#partner-authentication): a 32-hex id and 64-hex secrets from a CSPRNG,
 * as Plaid's guide recommends; only SHA-256 digests are stored, compared in constant time.
 */
@Injectable()
export class PartnersService {
  /** The active digests of clients whose secret matched, by client id. */
  private readonly matched = new ExpiringMap<string, string[]>(PARTNER_SECRET_CACHE_MS, PARTNER_SECRET_CACHE_MAX);

  constructor(
    private readonly clients: PartnerClientRepository,
    private readonly repo: PartnerSecretRepository,
  ) {}

  /** Client ids to their names, for pages that show who a client is (the console's timeline). */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.clients.namesOf([...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Creates a client, its first secret and its OAuth redirect URIs (Plaid's by default), all or none;
   * `fixed` is for the sandbox's credentials only.
   */
  async createClient(
    name: string,
    fixed?: { id: string; secret: string },
    redirectUris: string[] = [PLAID_REDIRECT_URI],
  ): Promise<IssuedCredentials> {
    const id = fixed?.id ?? randomBytes(16).toString('hex');
    const secret = fixed?.secret ?? randomBytes(32).toString('hex');
    const uris = [...new Set(redirectUris.map((u) => checkRedirectUri(u)))];
    if (!uris.length || uris.length > MAX_REDIRECT_URIS)
      throw PxError.invalid(apiText('redirectUri.count', { max: MAX_REDIRECT_URIS }));
    const now = Date.now();
    await this.repo.createClient({ id, name, createdAt: now }, this.newSecret(id, secret, now), uris);
    return { client_id: id, client_secret: secret, slot: 1, redirect_uris: uris };
  }

  /** The redirect URIs registered for a client; none for an unknown client (docs/oauth.md). */
  redirectUrisOf(clientId: string): Promise<string[]> {
    return this.clients.redirectUrisOf(clientId);
  }

  /** Whether any client exists: the sandbox seeds only an empty database. */
  async anyClient(): Promise<boolean> {
    return (await this.clients.count()) > 0;
  }

  /** Adds a second secret so the old one can be retired without downtime; of two at once, one wins. */
  async addSecret(clientId: string): Promise<IssuedCredentials> {
    const secret = randomBytes(32).toString('hex');
    const slot = await this.repo.addInFreeSlot(this.newSecret(clientId, secret, Date.now()));
    if (slot === 'no_client') throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.client'));
    if (typeof slot !== 'number') throw new PxError(ErrorId.CONFLICT, apiText('conflict.twoSecrets'));
    return { client_id: clientId, client_secret: secret, slot };
  }

  /** Retires secret `slot`, once its successor is in use; the last active secret cannot go, even to a race. */
  async revokeSecret(
    clientId: string,
    slot: number,
  ): Promise<{ client_id: string; revoked_slot: number; active_slots: number[] }> {
    const remaining = await this.repo.retire(clientId, slot, Date.now());
    // This process forgets the client's digests at once, whatever the outcome; others within PARTNER_SECRET_CACHE_MS.
    this.matched.delete(clientId);
    if (remaining === 'last_secret') throw new PxError(ErrorId.CONFLICT, apiText('conflict.onlySecret'));
    if (!Array.isArray(remaining)) throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.secret'));
    return { client_id: clientId, revoked_slot: slot, active_slots: remaining };
  }

  private newSecret(clientId: string, secret: string, now: number): NewSecret {
    return { id: randomToken(16), clientId, secretHash: sha256(secret), createdAt: now };
  }

  /** Throws INVALID_CLIENT unless the pair matches an active secret; same work for unknown ids. */
  async authenticate(clientId: string | undefined, secret: string | undefined): Promise<string> {
    if (!clientId || !secret || clientId.length > 64 || secret.length > 256) throw new PxError(ErrorId.INVALID_CLIENT);
    const digest = sha256(secret);
    const cached = this.matched.get(clientId);
    if (cached && matchesAny(cached, digest)) return clientId;
    const active = await this.repo.activeDigests(clientId);
    // An unknown client costs a comparison too, as a known one does.
    const ok = matchesAny(active.length ? active : [DUMMY_DIGEST], digest);
    if (!ok || !active.length) throw new PxError(ErrorId.INVALID_CLIENT);
    this.matched.set(clientId, active);
    return clientId;
  }
}

/** Whether `digest` is one of `stored`, comparing with every one in constant time. */
function matchesAny(stored: readonly string[], digest: string): boolean {
  let ok = false;
  for (const s of stored) ok = safeEqual(s, digest) || ok;
  return ok;
}
