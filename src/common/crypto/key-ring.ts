import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '@/config/app-config';

// Used only outside production when ENCRYPTION_KEY is unset (the sandbox); production refuses to start without one.
const SANDBOX_KEY = Buffer.alloc(32, 'pxauth-sandbox-encryption-key!!!');

/**
 * Keys derived from ENCRYPTION_KEY with HKDF-SHA256, one per purpose: AES-256-GCM for TOTP
 * secrets at rest, HMAC-SHA256 for OTP codes, and for stable send-method ids; `derive` gives a module
 * a key of its own purpose (a distinct `info` string is a distinct, independent key: RFC 5869 3.2).
 */
@Injectable()
export class KeyRing {
  readonly totpKey: Buffer;
  readonly otpKey: Buffer;
  readonly idKey: Buffer;
  private readonly master: Buffer;

  constructor(config: AppConfig) {
    this.master = config.ENCRYPTION_KEY ? decodeKey(config.ENCRYPTION_KEY) : SANDBOX_KEY;
    if (!config.ENCRYPTION_KEY)
      new Logger('KeyRing').warn('ENCRYPTION_KEY is not set: using the fixed sandbox key (never in production)');
    this.totpKey = this.derive('pxauth totp secret aes-256-gcm');
    this.otpKey = this.derive('pxauth otp code hmac-sha256');
    this.idKey = this.derive('pxauth send method id');
  }

  /** A 32-byte key for one purpose, named by `info`. */
  derive(info: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.master, Buffer.alloc(0), info, 32));
  }

  /** AES-256-GCM: base64url of iv (12) | tag (16) | ciphertext. `aad` binds the ciphertext to its row. */
  encrypt(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.totpKey, iv).setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
  }

  decrypt(sealed: string, aad: string): string {
    const buf = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.totpKey, buf.subarray(0, 12)).setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }
}

function decodeKey(raw: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64url');
}
