import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { PartnerClient } from './partner-client.entity';
import { PartnerSecret } from './partner-secret.entity';

const DUMMY_DIGEST = sha256('pxauth: no such client');
export const MAX_ACTIVE_SECRETS = 2;

export interface IssuedCredentials {
  client_id: string;
  client_secret: string;
  slot: number;
}

/**
 * Plaid's client credentials (PRODUCT.md section 2): a 32-hex id and 64-hex secrets from a CSPRNG,
 * as Plaid's guide recommends; only SHA-256 digests are stored, compared in constant time.
 */
@Injectable()
export class PartnersService {
  constructor(
    @InjectRepository(PartnerClient) private readonly clients: Repository<PartnerClient>,
    @InjectRepository(PartnerSecret) private readonly secrets: Repository<PartnerSecret>,
  ) {}

  /** Creates a client; `fixed` is for the sandbox's documented credentials only. */
  async createClient(name: string, fixed?: { id: string; secret: string }): Promise<IssuedCredentials> {
    const id = fixed?.id ?? randomBytes(16).toString('hex');
    const secret = fixed?.secret ?? randomBytes(32).toString('hex');
    await this.clients.insert({ id, name, createdAt: Date.now() });
    await this.secrets.insert({
      id: randomToken(16),
      clientId: id,
      slot: 1,
      secretHash: sha256(secret),
      createdAt: Date.now(),
      revokedAt: null,
    });
    return { client_id: id, client_secret: secret, slot: 1 };
  }

  /** Adds a second secret so the old one can be retired without downtime. */
  async addSecret(clientId: string): Promise<IssuedCredentials> {
    if (!(await this.clients.existsBy({ id: clientId }))) throw new PxError(ErrorId.NOT_FOUND, 'No such client.');
    const active = await this.secrets.findBy({ clientId, revokedAt: IsNull() });
    if (active.length >= MAX_ACTIVE_SECRETS)
      throw new PxError(ErrorId.CONFLICT, 'The client already has two active secrets; revoke one first.');
    const slot = [1, 2].find((n) => !active.some((s) => s.slot === n)) ?? 1;
    const secret = randomBytes(32).toString('hex');
    await this.secrets.insert({
      id: randomToken(16),
      clientId,
      slot,
      secretHash: sha256(secret),
      createdAt: Date.now(),
      revokedAt: null,
    });
    return { client_id: clientId, client_secret: secret, slot };
  }

  /** Retires secret `slot`, once its successor is in use; the last active secret cannot go. */
  async revokeSecret(
    clientId: string,
    slot: number,
  ): Promise<{ client_id: string; revoked_slot: number; active_slots: number[] }> {
    const active = await this.secrets.findBy({ clientId, revokedAt: IsNull() });
    const target = active.find((s) => s.slot === slot);
    if (!target) throw new PxError(ErrorId.NOT_FOUND, 'No such active secret.');
    if (active.length === 1)
      throw new PxError(ErrorId.CONFLICT, "This is the client's only active secret; add another first.");
    await this.secrets.update({ id: target.id, revokedAt: IsNull() }, { revokedAt: Date.now() });
    return {
      client_id: clientId,
      revoked_slot: slot,
      active_slots: active.filter((s) => s !== target).map((s) => s.slot),
    };
  }

  /** Throws INVALID_CLIENT unless the pair matches an active secret; same work for unknown ids. */
  async authenticate(clientId: string | undefined, secret: string | undefined): Promise<string> {
    if (!clientId || !secret || clientId.length > 64 || secret.length > 256) throw new PxError(ErrorId.INVALID_CLIENT);
    const digest = sha256(secret);
    const active = await this.secrets.findBy({ clientId, revokedAt: IsNull() });
    let ok = false;
    for (const s of active.length ? active : [{ secretHash: DUMMY_DIGEST }]) ok = safeEqual(s.secretHash, digest) || ok;
    if (!ok || !active.length) throw new PxError(ErrorId.INVALID_CLIENT);
    return clientId;
  }
}
