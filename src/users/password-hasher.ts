import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CheckAdmission, CheckClass } from './check-admission';

/** argon2id with OWASP's m=19456 KiB, t=2, p=1 (docs/architecture.md#storage), for what people choose. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * The hashes a bank may bring with `users:import` (docs/api.md#staff-api): argon2id in its PHC string
 * form, or bcrypt `$2a$`/`$2b$`/`$2y$`. Their costs are bounded, since each login pays them: a hash
 * made with a cost of 31 would turn every login of that user into minutes of CPU.
 */
// The PHC string: its parameters in either order (libargon2 writes m,t,p; node's argon2 writes m,p,t).
const ARGON2ID_HASH =
  /^\$argon2id\$v=19\$((?:[mtp]=\d{1,7},){2}[mtp]=\d{1,7})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/;
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
export const MAX_BCRYPT_COST = 14;
const MAX_ARGON2 = { memoryKiB: 262_144, time: 10, parallelism: 8 };

/** Why an imported hash cannot be stored as given, or null when it can. */
export function importedHashProblem(hash: string): string | null {
  const b = BCRYPT_HASH.exec(hash);
  if (b) {
    const cost = Number(b[1]);
    return cost >= 4 && cost <= MAX_BCRYPT_COST ? null : `bcrypt cost must be 4 to ${MAX_BCRYPT_COST}`;
  }
  const a = ARGON2ID_HASH.exec(hash);
  if (!a) return 'password_hash must be argon2id ($argon2id$v=19$...) or bcrypt ($2a$, $2b$ or $2y$)';
  const params = new Map(a[1].split(',').map((kv) => [kv[0], Number(kv.slice(2))] as const));
  if (params.size !== 3) return 'password_hash: argon2id needs m, t and p once each';
  const [m, t, p] = [params.get('m')!, params.get('t')!, params.get('p')!];
  if (m < 8 || m > MAX_ARGON2.memoryKiB || t < 1 || t > MAX_ARGON2.time || p < 1 || p > MAX_ARGON2.parallelism)
    return `argon2id parameters must be within m=${MAX_ARGON2.memoryKiB}, t=${MAX_ARGON2.time}, p=${MAX_ARGON2.parallelism}`;
  return null;
}

/** The setting of every hash pxauth makes (argon2id at ARGON2_OPTIONS), whatever order its parameters are in. */
export const CURRENT_SETTING = 'argon2id:current';

/**
 * What a verify of this hash costs, as a prefix of it: `$2b$10$` (bcrypt, its cost), or
 * `$argon2id$v=19$m=65536,t=3,p=4$` (argon2id with other parameters than ours). A hash pxauth made
 * is CURRENT_SETTING, and needs no upgrade; anything else is replaced at the next good login.
 */
export function hashSetting(hash: string): string {
  const b = /^\$2[aby]\$\d\d\$/.exec(hash);
  if (b && BCRYPT_HASH.test(hash)) return b[0];
  const a = ARGON2ID_HASH.exec(hash);
  if (!a) return CURRENT_SETTING;
  const params = new Map(a[1].split(',').map((kv) => [kv[0], Number(kv.slice(2))] as const));
  const current =
    params.get('m') === ARGON2_OPTIONS.memoryCost &&
    params.get('t') === ARGON2_OPTIONS.timeCost &&
    params.get('p') === ARGON2_OPTIONS.parallelism;
  return current ? CURRENT_SETTING : `$argon2id$v=19$${a[1]}$`;
}

/**
 * A check that ran: its class, how long it waited for an admission slot, and how long it took from the
 * call to its result.
 */
export interface CheckTimes {
  class: CheckClass;
  waitSeconds: number;
  seconds: number;
}

/**
 * Every verify a caller (Plaid) can ask for goes through CheckAdmission: at most so many at once, the
 * rest shed with a 503 rather than queued past OVERLOAD_QUEUE_TIMEOUT. Hashing (staff creating users,
 * setting passwords and answers) does not, so the internal listener is never shed by the public one.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: string;
  /** Salt and digest of a bcrypt hash: behind another cost's prefix, a dummy that costs what that cost does. */
  private bcryptTail: string;
  /** Verifies started and not finished, by class: waiting for a slot or hashing (metrics read it). */
  readonly inFlight: Record<CheckClass, number> = { legacy: 0, oauth: 0 };
  private readonly observers: ((check: CheckTimes) => void)[] = [];

  constructor(private readonly admission: CheckAdmission) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    this.dummyHash = await argon2.hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);
    // A hash costs what a verify does: the first estimate of a check's duration.
    this.admission.observe(performance.now() - started);
    this.bcryptTail = (await bcrypt.hash(randomBytes(16).toString('hex'), 4)).slice('$2b$04$'.length);
  }

  /** On the libuv thread pool (argon2's native binding), so several hash in parallel. */
  hash(secret: string): Promise<string> {
    return argon2.hash(secret, ARGON2_OPTIONS);
  }

  /** Called for each check that ran, with its times; for metrics, which this module does not know. */
  onVerified(observer: (check: CheckTimes) => void): void {
    this.observers.push(observer);
  }

  /**
   * Throws Overloaded (503) when the check cannot start in time; the caller gives its attempt back.
   * `cls` is whose check it is, Plaid's legacy call or a public sign-in page: each has its share.
   */
  verify(hash: string, secret: string, cls: CheckClass): Promise<boolean> {
    return this.admitted(cls, () => verifyOne(hash, secret));
  }

  /** Several verifies admitted as one check (a KBA answer set), each run even after a wrong one. */
  verifyAll(pairs: { hash: string; secret: string }[], cls: CheckClass): Promise<boolean[]> {
    return this.admitted(cls, async () => {
      const results: boolean[] = [];
      for (const p of pairs) results.push(await verifyOne(p.hash, p.secret));
      return results;
    });
  }

  /**
   * One password check of a login, `hash` null for an unknown username (or one whose hash is not
   * here). Its cost must not say which usernames exist, nor which hold a hash not upgraded yet: each
   * check runs one verify of every setting in use, the current one and each of `legacySettings`
   * (LegacyHashSettings), the user's own hash in its setting's place and a dummy in each other's.
   * An unknown name, a user of ours and an imported bcrypt user each cost the same work. `cls`: whose
   * check it is (Plaid's legacy call or a public sign-in page), each with its share.
   */
  verifyLogin(
    hash: string | null,
    secret: string,
    legacySettings: readonly string[],
    cls: CheckClass,
  ): Promise<boolean> {
    const own = hash === null ? null : hashSetting(hash);
    const dummies = [CURRENT_SETTING, ...legacySettings].filter((s, i, all) => s !== own && all.indexOf(s) === i);
    return this.admitted(cls, async () => {
      const result = hash === null ? false : await verifyOne(hash, secret);
      for (const setting of dummies) await verifyOne(this.dummyOf(setting), secret);
      return result;
    });
  }

  /** A hash of nobody's password that costs what a verify of `setting` does. */
  private dummyOf(setting: string): string {
    if (setting === CURRENT_SETTING) return this.dummyHash;
    if (setting.startsWith('$2')) return setting + this.bcryptTail;
    // argon2id: our dummy's salt and digest, with the other parameters in front.
    return setting + this.dummyHash.split('$').slice(-2).join('$');
  }

  /**
   * An imported bcrypt hash, or argon2id with other parameters than ours, is replaced by argon2id at
   * ARGON2_OPTIONS at the user's first good login.
   */
  needsUpgrade(hash: string): boolean {
    return hashSetting(hash) !== CURRENT_SETTING;
  }

  /**
   * One check through the admission queue, counted in flight (queued or running) meanwhile. The observers
   * hear of each check that ran (its wait for a slot, and its time from the call to its result), never of
   * one shed before it started: a shed is counted as such, not as a verify.
   */
  private async admitted<T>(cls: CheckClass, check: () => Promise<T>): Promise<T> {
    this.inFlight[cls]++;
    const called = performance.now();
    let started: number | undefined;
    try {
      return await this.admission.run(cls, () => {
        started = performance.now();
        return check();
      });
    } finally {
      this.inFlight[cls]--;
      if (started !== undefined) {
        const times = {
          class: cls,
          waitSeconds: (started - called) / 1000,
          seconds: (performance.now() - called) / 1000,
        };
        for (const observe of this.observers) observe(times);
      }
    }
  }
}

/** argon2id, or an imported bcrypt hash (bcryptjs compares in constant time). */
async function verifyOne(hash: string, secret: string): Promise<boolean> {
  try {
    return BCRYPT_HASH.test(hash) ? await bcrypt.compare(secret, hash) : await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}
