import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '@/config/app-config';

// Used only outside production when no key is set (the sandbox); production refuses to start without one.
const SANDBOX_KEY = Buffer.alloc(32, 'pxauth-sandbox-encryption-key!!!');
const TOTP_INFO = 'pxauth totp secret aes-256-gcm';
// A sealed value names its key as `<key id>.<base64url>`: '.' is outside base64url, so a value sealed
// before keys rotated (bare base64url) is told apart without a version column.
const KEY_ID = /^([0-9a-f]{8})\.([A-Za-z0-9_-]+)$/;

/** A sealed value that no configured key opens: its key is not configured, or it was altered. */
export class UnopenableError extends Error {
  constructor(readonly keyId: string | null) {
    super(keyId ? `sealed under key id ${keyId}, which no configured key has` : 'opened by no configured key');
  }
}

interface MasterKey {
  id: string;
  master: Buffer;
}

/**
 * Keys derived from ENCRYPTION_KEYS (or ENCRYPTION_KEY, a list of one) with HKDF-SHA256, one per
 * purpose: AES-256-GCM for TOTP secrets at rest, HMAC-SHA256 for OTP codes, and for stable send-method
 * ids; `derive` gives a module a key of its own purpose (a distinct `info` string is a distinct,
 * independent key: RFC 5869 3.2). The first key seals and MACs; every listed key opens and verifies,
 * so that a rotation (docs/security.md, "Keys that rotate") breaks nothing sealed under the key before.
 */
@Injectable()
export class KeyRing {
  /** One per configured key, newest first: the first MACs new OTP codes, any verifies one. */
  readonly otpKeys: Buffer[];
  readonly idKey: Buffer;
  private readonly masters: MasterKey[];
  private readonly totpKeys: Map<string, Buffer>;

  // AppConfig itself, not a Pick of it: Nest injects by the parameter's emitted type.
  constructor(config: AppConfig) {
    const raw = config.encryptionKeys;
    if (!raw.length)
      new Logger('KeyRing').warn('ENCRYPTION_KEYS is not set: using the fixed sandbox key (never in production)');
    const masters = raw.length ? raw.map(decodeKey) : [SANDBOX_KEY];
    this.masters = masters.map((master) => ({ id: keyIdOf(master), master }));
    if (new Set(this.masters.map((k) => k.id)).size !== this.masters.length)
      throw new Error('ENCRYPTION_KEYS: two keys are the same');
    this.totpKeys = new Map(this.masters.map((k) => [k.id, hkdf(k.master, TOTP_INFO)]));
    this.otpKeys = this.deriveAll('pxauth otp code hmac-sha256');
    this.idKey = this.derive('pxauth send method id');
  }

  /** The id of the key that seals (the first listed): what `encrypt` prefixes. */
  get currentKeyId(): string {
    return this.masters[0].id;
  }

  /** A 32-byte key for one purpose, named by `info`, from the first key: to seal or MAC with. */
  derive(info: string): Buffer {
    return hkdf(this.masters[0].master, info);
  }

  /** The key for `info` from every configured key, newest first: to open or verify with. */
  deriveAll(info: string): Buffer[] {
    return this.masters.map((k) => hkdf(k.master, info));
  }

  /** AES-256-GCM under the first key: `<key id>.` and base64url of iv (12) | tag (16) | ciphertext. `aad` binds it to its row. */
  encrypt(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.totpKeys.get(this.currentKeyId)!, iv).setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${this.currentKeyId}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
  }

  /**
   * Opens a value under the key it names; one sealed before key ids existed under each key, newest
   * first. Throws UnopenableError when no configured key opens it (never with the value in the message).
   */
  decrypt(sealed: string, aad: string): string {
    const named = KEY_ID.exec(sealed);
    if (named) {
      const key = this.totpKeys.get(named[1]);
      const plain = key && open(key, named[2], aad);
      if (plain === undefined) throw new UnopenableError(named[1]);
      return plain;
    }
    for (const key of this.totpKeys.values()) {
      const plain = open(key, sealed, aad);
      if (plain !== undefined) return plain;
    }
    throw new UnopenableError(null);
  }

  /** Whether `sealed` is already under the first key (nothing for a re-encryption to do). */
  isCurrent(sealed: string): boolean {
    return KEY_ID.exec(sealed)?.[1] === this.currentKeyId;
  }
}

function open(key: Buffer, b64: string, aad: string): string | undefined {
  const buf = Buffer.from(b64, 'base64url');
  if (buf.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12)).setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

const hkdf = (master: Buffer, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));

// A key's id is a hash of a subkey of its own, so it tells nothing about the keys that seal or MAC.
const keyIdOf = (master: Buffer): string =>
  createHash('sha256').update(hkdf(master, 'pxauth key id')).digest('hex').slice(0, 8);

function decodeKey(raw: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64url');
}
