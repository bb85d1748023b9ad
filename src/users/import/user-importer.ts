import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { availableParallelism } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { randomToken } from '@/common/crypto/digest';
import { runSql } from '@/database/sql';
import { guardKey } from '@/users/lockout/guard-key';
import { LegacyHashSettings } from '../legacy-hash-settings';
import { PasswordHasher } from '../password-hasher';
import { UsersService } from '../users.service';
import type { ImportRow } from './import-row';

export interface BatchOutcome {
  created: ImportRow[];
  /** Already in the database (an earlier run, or a user made another way): left exactly as they are. */
  existing: ImportRow[];
}

const COLUMNS = [
  'id',
  'institution_id',
  'username',
  'username_norm',
  'password_hash',
  'phone',
  'email',
  'totp_secret',
  'totp_last_step',
  'mfa_preference',
  'auth_epoch',
  'terms_accepted_version',
  'created_at',
  'updated_at',
];

/**
 * Bulk import of users (issue 9, `users:import`), a batch at a time. Idempotent: a user whose
 * (institution, username) exists is skipped, never updated, and the INSERT itself skips a conflict,
 * so two imports of one file at once create each user once. Clear passwords are hashed in parallel on
 * the libuv thread pool (argon2's native binding); given hashes are stored as they are.
 */
@Injectable()
export class UserImporter {
  /** One argon2id at a time per core: more would only queue on the thread pool. */
  readonly parallelism = Math.max(1, availableParallelism());

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly legacy: LegacyHashSettings,
    private readonly config: AppConfig,
  ) {}

  /** The key a row is unique by, as a login normalises it: duplicates within a file are found with it. */
  keyOf(row: ImportRow): string {
    const k = guardKey(this.config, row.institutionId ?? undefined, row.username);
    return `${k.institutionId}\u0000${k.usernameNorm}`;
  }

  async importBatch(rows: ImportRow[]): Promise<BatchOutcome> {
    if (!rows.length) return { created: [], existing: [] };
    const keyed = rows.map((row) => ({
      row,
      key: guardKey(this.config, row.institutionId ?? undefined, row.username),
    }));
    const present = await this.presentKeys(keyed.map((k) => k.key.usernameNorm));
    const fresh = keyed.filter((k) => !present.has(`${k.key.institutionId}\u0000${k.key.usernameNorm}`));
    // Hashing (the slow part) only for users that do not exist yet: a re-run costs no argon2.
    const hashes = await mapLimit(fresh, this.parallelism, (k) =>
      k.row.passwordHash !== null ? Promise.resolve(k.row.passwordHash) : this.hasher.hash(k.row.password!),
    );
    const now = Date.now();
    const values = fresh.map((k, i) => [
      randomToken(16),
      k.key.institutionId,
      k.row.username,
      k.key.usernameNorm,
      hashes[i],
      k.row.phone,
      k.row.email,
      null,
      null,
      null,
      0,
      this.config.TERMS_VERSION,
      now,
      now,
    ]);
    const inserted = values.length ? await this.insertNew(values) : new Set<string>();
    // After the users are in, never before (LegacyHashSettings.record): logins pad for these hashes.
    const isNew = (k: (typeof fresh)[number]) => inserted.has(`${k.key.institutionId}\u0000${k.key.usernameNorm}`);
    await this.legacy.record(
      fresh.filter((k) => k.row.passwordHash !== null && isNew(k)).map((k) => k.row.passwordHash!),
    );
    const created: ImportRow[] = [];
    const existing: ImportRow[] = [];
    for (const k of keyed)
      (inserted.has(`${k.key.institutionId}\u0000${k.key.usernameNorm}`) ? created : existing).push(k.row);
    return { created, existing };
  }

  private async presentKeys(norms: string[]): Promise<Set<string>> {
    const unique = [...new Set(norms)];
    const r = await runSql<{ institution_id: string; username_norm: string }>(
      this.ds,
      `SELECT institution_id, username_norm FROM users WHERE username_norm IN (${unique.map(() => '?').join(', ')})`,
      unique,
    );
    return new Set(r.rows.map((u) => `${u.institution_id}\u0000${u.username_norm}`));
  }

  /** One multi-row INSERT; the rows it really inserted come back (RETURNING, on both engines). */
  private async insertNew(values: unknown[][]): Promise<Set<string>> {
    const row = `(${COLUMNS.map(() => '?').join(', ')})`;
    const r = await runSql<{ institution_id: string; username_norm: string }>(
      this.ds,
      `INSERT INTO users (${COLUMNS.join(', ')}) VALUES ${values.map(() => row).join(', ')} ` +
        'ON CONFLICT (institution_id, username_norm) DO NOTHING RETURNING institution_id, username_norm',
      values.flat(),
    );
    return new Set(r.rows.map((u) => `${u.institution_id}\u0000${u.username_norm}`));
  }
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
