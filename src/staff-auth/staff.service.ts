import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { randomToken, safeEqual, sha256 } from '@/common/crypto/digest';
import { StaffKey, StaffRole } from './staff-key.entity';

export interface IssuedStaffKey {
  id: string;
  name: string;
  role: StaffRole;
  key: string;
}

/** Staff keys, as immich keeps API keys: shown once, stored as SHA-256, compared in constant time. */
@Injectable()
export class StaffService {
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
    const row = await this.keys.findOneBy({ keyHash: digest, revokedAt: IsNull() });
    return row && safeEqual(row.keyHash, digest) ? row : null;
  }

  /** A key that has not been revoked, by id: a console session lives only as long as its key. */
  findActive(id: string): Promise<StaffKey | null> {
    return this.keys.findOneBy({ id, revokedAt: IsNull() });
  }

  /** Names of staff members, for the audit trail as people read it. */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.keys.findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
