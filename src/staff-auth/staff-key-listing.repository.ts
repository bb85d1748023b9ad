import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runSql } from '@/database/sql';

export interface StaffKeyRow {
  id: string;
  name: string;
  role: string;
  createdAt: string | number;
  revokedAt: string | number | null;
}

/** The staff keys as a list for operators: never the digest of a key, which is not selected at all. */
@Injectable()
export class StaffKeyListingRepository {
  constructor(private readonly ds: DataSource) {}

  /** Every key, or only those not revoked; oldest first. */
  list(includeRevoked: boolean): Promise<StaffKeyRow[]> {
    const where = includeRevoked ? '' : ' WHERE revoked_at IS NULL';
    return runSql<StaffKeyRow>(
      this.ds,
      `SELECT id, name, role, created_at AS "createdAt", revoked_at AS "revokedAt" FROM staff_key${where} ORDER BY created_at, id`,
    ).then((r) => r.rows);
  }
}
