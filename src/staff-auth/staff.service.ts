import { Injectable } from '@nestjs/common';
import { ExpiringMap } from '@/common/cache/expiring-map';
import { randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { ErrorId } from '@/common/errors/error-id';
import { apiText, PxError } from '@/common/errors/px.error';
import { StaffKey, StaffRole } from './staff-key.entity';
import { StaffKeyRepository } from './staff-key.repository';

export interface IssuedStaffKey {
  id: string;
  name: string;
  role: StaffRole;
  key: string;
}

export interface RevokedStaffKey {
  id: string;
  name: string;
  role: StaffRole;
  revoked_at: string;
}
/**
 * How long a process may trust a staff key it has looked up without asking the database again: the
 * bank's data API calls introspection on every request, and a key lookup per call was a third of its
 * cost. A key revoked in the database stops working on every replica within this (docs/api.md, "Staff
 * keys are cached"); only keys that were found are kept, so wrong keys cannot fill the cache.
 */
export const STAFF_KEY_CACHE_MS = 5_000;
const STAFF_KEY_CACHE_MAX = 1_000;

/** Staff keys, as immich keeps API keys: shown once, stored as SHA-256, compared in constant time. */
@Injectable()
export class StaffService {
  /** Keys found, by their digest. */
  private readonly cache = new ExpiringMap<string, StaffKey>(STAFF_KEY_CACHE_MS, STAFF_KEY_CACHE_MAX);

  constructor(private readonly keys: StaffKeyRepository) {}

  /** `fixedKey` is for the sandbox's documented keys only. */
  async create(name: string, role: StaffRole, fixedKey?: string): Promise<IssuedStaffKey> {
    const key = fixedKey ?? `pxs_${randomToken(32)}`;
    const id = randomToken(12);
    await this.keys.insert({ id, name, role, keyHash: sha256(key), createdAt: Date.now(), revokedAt: null });
    return { id, name, role, key };
  }

  /**
   * Revokes a staff key: one conditional UPDATE. Every request reads the key's row, so the
   * key stops working at once, on every replica. A key already revoked is CONFLICT; none, NOT_FOUND.
   */
  async revoke(id: string): Promise<RevokedStaffKey> {
    const now = Date.now();
    const revoked = await this.keys.revokeIfActive(id, now);
    const row = await this.keys.findById(id);
    if (!row) throw new PxError(ErrorId.NOT_FOUND, apiText('notFound.staffKey'));
    if (!revoked) throw new PxError(ErrorId.CONFLICT, apiText('conflict.staffKeyRevoked'));
    // This process forgets it at once; other processes (replicas, or the service when the CLI revokes)
    // within STAFF_KEY_CACHE_MS.
    this.cache.deleteWhere((cached) => cached.id === id);
    return { id: row.id, name: row.name, role: row.role, revoked_at: new Date(now).toISOString() };
  }

  async authenticate(key: string): Promise<StaffKey | null> {
    const digest = sha256(key);
    const cached = this.cache.get(digest);
    if (cached && safeEqual(cached.keyHash, digest)) return cached;
    const row = await this.keys.findActiveByHash(digest);
    if (!row || !safeEqual(row.keyHash, digest)) {
      this.cache.delete(digest);
      return null;
    }
    this.cache.set(digest, row);
    return row;
  }

  /** A key that has not been revoked, by id: a console session lives only as long as its key. */
  findActive(id: string): Promise<StaffKey | null> {
    return this.keys.findActiveById(id);
  }

  /** Names of staff members, for the audit trail as people read it. */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.keys.findByIds([...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
