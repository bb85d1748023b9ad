import { Command, InvalidArgumentError } from 'commander';
import { UnopenableError } from '@/common/crypto/key-ring';
import { TotpService } from '@/otp/totp.service';
import { UsersService } from '@/users/users.service';
import { Exec, subcommand } from './cli-context';

export interface ReencryptReport {
  checked: number;
  reencrypted: number;
  already_current: number;
  /** Opened by no configured key: they stay as they are. */
  failed: number;
}

const batchOf = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000)
    throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  return Number(value);
};

// A row re-enrolled between our read and our write is read again, a few times at most.
const TRIES = 3;

/**
 * Re-seals every TOTP secret (the only value sealed at rest) under the first of ENCRYPTION_KEYS, so
 * that the older keys can be dropped (docs/security.md, "Keys that rotate"). Batches in id order; each row is
 * written by a conditional UPDATE that holds only if its ciphertext is still the one read, so a
 * re-enrolment meanwhile, on any replica, is never overwritten. Safe to run again, and while serving.
 */
export async function reencryptTotpSecrets(
  users: UsersService,
  totp: TotpService,
  batchSize = 500,
): Promise<ReencryptReport> {
  const report: ReencryptReport = { checked: 0, reencrypted: 0, already_current: 0, failed: 0 };
  let after = '';
  for (;;) {
    const batch = await users.totpSecretsAfter(after, batchSize);
    if (!batch.length) return report;
    for (const row of batch) {
      report.checked++;
      report[await reseal(users, totp, row.id, row.totpSecretSealed)]++;
    }
    after = batch[batch.length - 1].id;
  }
}

async function reseal(
  users: UsersService,
  totp: TotpService,
  id: string,
  sealed: string | null,
): Promise<'reencrypted' | 'already_current' | 'failed'> {
  for (let i = 0; i < TRIES && sealed; i++) {
    let next: string | null;
    try {
      next = totp.reseal(id, sealed);
    } catch (err) {
      if (err instanceof UnopenableError) return 'failed';
      throw err;
    }
    if (next === null) return 'already_current';
    if (await users.replaceTotpSecret(id, sealed, next)) return 'reencrypted';
    sealed = (await users.findById(id))?.totpSecretSealed ?? null;
  }
  // Removed meanwhile (the user deleted or unenrolled): nothing is left to re-seal.
  return sealed ? 'failed' : 'already_current';
}

export function registerKeysCommand(program: Command, exec: Exec): void {
  subcommand(program, 'keys:reencrypt', 're-seals every stored TOTP secret under the first of ENCRYPTION_KEYS')
    .option('--batch-size <n>', 'rows read at a time, 1 to 10000 (default 500)', batchOf, 500)
    .action((o: { batchSize: number; json?: boolean }) =>
      exec(async (app) => {
        const r = await reencryptTotpSecrets(app.get(UsersService), app.get(TotpService), o.batchSize);
        const text = [
          `checked ${r.checked}, re-encrypted ${r.reencrypted}, already current ${r.already_current}, failed ${r.failed}`,
          ...(r.failed ? ['The failed ones open with no configured key: keep the key that sealed them listed.'] : []),
        ].join('\n');
        const failed = r.failed ? { code: 1, reason: `${r.failed} TOTP secret(s) opened by no configured key` } : {};
        return { data: r, text, ...failed };
      }, o),
    );
}
