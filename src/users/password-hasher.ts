import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CheckAdmission } from './check-admission';

/** argon2id with OWASP's m=19456 KiB, t=2, p=1 (PRODUCT.md section 10), for what people choose. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Every verify a caller (Plaid) can ask for goes through CheckAdmission: at most so many at once, the
 * rest shed with a 503 rather than queued past OVERLOAD_QUEUE_TIMEOUT. Hashing (staff creating users,
 * setting passwords and answers) does not, so the internal listener is never shed by the public one.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: string;

  constructor(private readonly admission: CheckAdmission) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    this.dummyHash = await argon2.hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);
    // A hash costs what a verify does: the first estimate of a check's duration.
    this.admission.observe(performance.now() - started);
  }

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, ARGON2_OPTIONS);
  }

  /** Throws Overloaded (503) when the check cannot start in time; the caller gives its attempt back. */
  verify(hash: string, secret: string): Promise<boolean> {
    return this.admission.run(() => verifyOne(hash, secret));
  }

  /** Several verifies admitted as one check (a KBA answer set), each run even after a wrong one. */
  verifyAll(pairs: { hash: string; secret: string }[]): Promise<boolean[]> {
    return this.admission.run(async () => {
      const results: boolean[] = [];
      for (const p of pairs) results.push(await verifyOne(p.hash, p.secret));
      return results;
    });
  }

  /** The same work as a real verify, for an unknown username: its 401 must cost the same time. */
  async verifyDummy(secret: string): Promise<false> {
    await this.verify(this.dummyHash, secret);
    return false;
  }
}

async function verifyOne(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}
