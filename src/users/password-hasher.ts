import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** argon2id with OWASP's m=19456 KiB, t=2, p=1 (PRODUCT.md section 10), for what people choose. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash: string;
  /** Verifies started and not finished: waiting for a libuv thread or hashing (metrics read it). */
  inFlight = 0;
  private readonly observers: ((seconds: number) => void)[] = [];

  async onModuleInit(): Promise<void> {
    this.dummyHash = await argon2.hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);
  }

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, ARGON2_OPTIONS);
  }

  /** Called with each verify's time, queue included; for metrics, which this module does not know. */
  onVerified(observer: (seconds: number) => void): void {
    this.observers.push(observer);
  }

  async verify(hash: string, secret: string): Promise<boolean> {
    this.inFlight++;
    const started = performance.now();
    try {
      return await argon2.verify(hash, secret);
    } catch {
      return false;
    } finally {
      this.inFlight--;
      const seconds = (performance.now() - started) / 1000;
      for (const observe of this.observers) observe(seconds);
    }
  }

  /** The same work as a real verify, for an unknown username: its 401 must cost the same time. */
  async verifyDummy(secret: string): Promise<false> {
    await this.verify(this.dummyHash, secret);
    return false;
  }
}
