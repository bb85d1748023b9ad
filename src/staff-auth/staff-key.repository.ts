import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { StaffKey } from './staff-key.entity';

/** staff_key's statements; a key is found by its SHA-256, never by the key. */
@Injectable()
export class StaffKeyRepository {
  constructor(@InjectRepository(StaffKey) private readonly keys: Repository<StaffKey>) {}

  async insert(key: StaffKey): Promise<void> {
    await this.keys.insert(key);
  }

  /** Revokes the key unless it already is, in one conditional UPDATE: true when this call revoked it. */
  async revokeIfActive(id: string, now: number): Promise<boolean> {
    const r = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: now });
    return r.affected === 1;
  }

  findById(id: string): Promise<StaffKey | null> {
    return this.keys.findOneBy({ id });
  }

  findActiveByHash(keyHash: string): Promise<StaffKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  findActiveById(id: string): Promise<StaffKey | null> {
    return this.keys.findOneBy({ id, revokedAt: IsNull() });
  }

  findByIds(ids: string[]): Promise<StaffKey[]> {
    return this.keys.findBy({ id: In(ids) });
  }
}
