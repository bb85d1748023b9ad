import { Injectable } from '@nestjs/common';
import type { StaffRole } from './staff-key.entity';
import { StaffKeyRepository } from './staff-key.repository';

export interface StaffKeyView {
  id: string;
  name: string;
  role: StaffRole;
  created_at: string;
  revoked_at: string | null;
}

const iso = (ms: string | number) => new Date(Number(ms)).toISOString();

/** Who holds a staff key (staff:list): ids, names and roles; a key itself is shown only once, at creation. */
@Injectable()
export class StaffKeyListingService {
  constructor(private readonly repo: StaffKeyRepository) {}

  async list(includeRevoked = false): Promise<StaffKeyView[]> {
    const rows = await this.repo.list(includeRevoked);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as StaffRole,
      created_at: iso(r.createdAt),
      revoked_at: r.revokedAt === null ? null : iso(r.revokedAt),
    }));
  }
}
