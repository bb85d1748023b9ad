import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { StaffKey, StaffRole } from './staff-key.entity';

export interface IssuedStaffKey {
  id: string;
  name: string;
  role: StaffRole;
  key: string;
}

/**
 * How long a process may trust a staff key it has looked up without asking the database again: the
 * bank's data API calls introspection on every request, and a key lookup per call was a third of its
 * cost. A key revoked in the database stops working on every replica within this (README, "Staff
 * keys"); only keys that were found are kept, so wrong keys cannot fill the cache.
 */
export const STAFF_KEY_CACHE_MS = 5_000;
const STAFF_KEY_CACHE_MAX = 1_000;

/** Staff keys, as immich keeps API keys: shown once, stored as SHA-256, compared in constant time. */
@Injectable()
export class StaffService {
  private readonly cache = new Map<string, { row: StaffKey; until: number }>();

  constructor(@InjectRepository(StaffKey) private readonly keys: Repository<StaffKey>) {}

  /** `fixedKey` is for the sandbox's documented keys only. */
  async create(name: string, role: StaffRole, fixedKey?: string): Promise<IssuedStaffKey> {
    const key = fixedKey ?? `pxs_${randomToken(32)}`;
    const id = randomToken(12);
    await this.keys.insert({ id, name, role, keyHash: sha256(key), createdAt: Date.now(), revokedAt: null });
    return { id, name, role, key };
  }

  async authenticate(key: string): Promise<StaffKey | null> {
    const digest = sha256(key);
    const now = Date.now();
    const cached = this.cache.get(digest);
    if (cached && cached.until > now && safeEqual(cached.row.keyHash, digest)) return cached.row;
    const row = await this.keys.findOneBy({ keyHash: digest, revokedAt: IsNull() });
    if (!row || !safeEqual(row.keyHash, digest)) {
      this.cache.delete(digest);
      return null;
    }
    if (this.cache.size >= STAFF_KEY_CACHE_MAX) this.cache.clear();
    this.cache.set(digest, { row, until: now + STAFF_KEY_CACHE_MS });
    return row;
  }
}
