import { Injectable } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { AppConfig } from '@/config/app-config';
import { guardKey } from '@/users/lockout/guard-key';
import { LegacyHashSettings } from '@/users/legacy-hash-settings';
import { PasswordHasher } from '@/users/password-hasher';
import { UserRepository, usernameKey } from '@/users/user.repository';
import { UsersService } from '@/users/users.service';
import type { ImportRow } from './import-row';

export interface BatchOutcome {
  created: ImportRow[];
  /** Already in the database (an earlier run, or a user made another way): left exactly as they are. */
  existing: ImportRow[];
}

/**
 * Bulk import of users (`users:import`), a batch at a time. Idempotent: a user whose (institution,
 * username) exists is skipped, never updated, and the INSERT itself skips a conflict, so two imports
 * of one file at once create each user once. Each row is made by UsersService.newUser, as a user the
 * admin API creates. Clear passwords are hashed in parallel on the libuv thread pool (argon2's native
 * binding); given hashes are stored as they are.
 */
@Injectable()
export class UserImporter {
  /** One argon2id at a time per core: more would only queue on the thread pool. */
  readonly parallelism = Math.max(1, availableParallelism());

  constructor(
    private readonly repo: UserRepository,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly legacy: LegacyHashSettings,
    private readonly config: AppConfig,
  ) {}

  /** The key a row is unique by, as a login normalises it: duplicates within a file are found with it. */
  keyOf(row: ImportRow): string {
    const k = guardKey(this.config, row.institutionId ?? undefined, row.username);
    return usernameKey(k.institutionId, k.usernameNorm);
  }

  async importBatch(rows: ImportRow[]): Promise<BatchOutcome> {
    if (!rows.length) return { created: [], existing: [] };
    const keyed = rows.map((row) => ({
      row,
      key: guardKey(this.config, row.institutionId ?? undefined, row.username),
    }));
    const present = await this.repo.keysHolding([...new Set(keyed.map((k) => k.key.usernameNorm))]);
    const keyOf = (k: (typeof keyed)[number]) => usernameKey(k.key.institutionId, k.key.usernameNorm);
    const fresh = keyed.filter((k) => !present.has(keyOf(k)));
    // Hashing (the slow part) only for users that do not exist yet: a re-run costs no argon2.
    const hashes = await mapLimit(fresh, this.parallelism, (k) =>
      k.row.passwordHash !== null ? Promise.resolve(k.row.passwordHash) : this.hasher.hash(k.row.password!),
    );
    const users = fresh.map((k, i) =>
      this.users.newUser(k.key, {
        username: k.row.username,
        passwordHash: hashes[i],
        phone: k.row.phone,
        email: k.row.email,
      }),
    );
    const inserted = users.length ? await this.repo.insertMissing(users) : new Set<string>();
    // After the users are in, never before (LegacyHashSettings.record): logins pad for these hashes.
    await this.legacy.record(
      fresh.filter((k) => k.row.passwordHash !== null && inserted.has(keyOf(k))).map((k) => k.row.passwordHash!),
    );
    const created: ImportRow[] = [];
    const existing: ImportRow[] = [];
    for (const k of keyed) (inserted.has(keyOf(k)) ? created : existing).push(k.row);
    return { created, existing };
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
