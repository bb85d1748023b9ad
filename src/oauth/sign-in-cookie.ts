import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hmacSha256, safeEqual } from '@/common/crypto/digest';
import { KeyRing } from '@/common/crypto/key-ring';

/** What Plaid's authorize request asked for, checked by the authorize endpoint. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string | null;
  nonce: string | null;
  institutionId: string | null;
}

/** A sign-in before its password was right: held by the browser alone, in its cookie. */
export interface PendingSignIn extends AuthorizeRequest {
  /** 128 random bits, base64url: what the row made after the password is found by, and the CSRF token's input. */
  id: string;
  locale: string;
  /** Epoch ms; sealed with the rest, so a browser cannot stretch its sign-in. */
  expiresAt: number;
}

const VERSION = 1;
const ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const NONE = 0xffff;
// Bound to its purpose: a ciphertext made for anything else under this key never opens as a sign-in.
const AAD = Buffer.from('pxauth oauth sign-in cookie v1');
// Nothing a bounded authorize request seals comes near it (docs/oauth.md); anything longer is forged.
const MAX_COOKIE = 4096;

/**
 * The pending sign-in as an AES-256-GCM sealed cookie under a key derived from ENCRYPTION_KEY, so that an
 * anonymous authorize request costs no row: the browser carries what Plaid asked for, unreadable (state
 * and nonce stay private) and unforgeable (the GCM tag, checked in constant time by OpenSSL, covers the
 * expiry and every field). A fixed binary layout rather than JSON keeps the worst case under the 4 KiB a
 * browser keeps per cookie (RFC 6265 6.1): JSON could double a state of quotes.
 */
@Injectable()
export class SignInCookies {
  // Newest first: the first seals and MACs, each opens and verifies, so a sign-in begun before a key
  // rotation still finishes after it (docs/security.md, "Keys that rotate").
  private readonly sealKeys: Buffer[];
  private readonly csrfKeys: Buffer[];

  constructor(keys: KeyRing) {
    this.sealKeys = keys.deriveAll('pxauth oauth sign-in cookie aes-256-gcm');
    this.csrfKeys = keys.deriveAll('pxauth oauth sign-in csrf hmac-sha256');
  }

  newId(): string {
    return randomBytes(ID_BYTES).toString('base64url');
  }

  seal(p: PendingSignIn): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.sealKeys[0], iv).setAAD(AAD);
    const ct = Buffer.concat([cipher.update(encode(p)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
  }

  /** The sign-in a cookie holds, or null: absent, altered, made under another key, malformed or expired. */
  open(value: string | undefined, now = Date.now()): PendingSignIn | null {
    if (!value || value.length > MAX_COOKIE || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
    const buf = Buffer.from(value, 'base64url');
    if (buf.length <= IV_BYTES + TAG_BYTES) return null;
    const plain = this.sealKeys.map((key) => openWith(key, buf)).find((b) => b !== null);
    if (!plain) return null;
    const p = decode(plain);
    return p && p.expiresAt > now ? p : null;
  }

  /** The `_csrf` of every form of this sign-in: an HMAC of its id, which only the sealed cookie carries. */
  csrfOf(id: string): string {
    return hmacSha256(this.csrfKeys[0], id);
  }

  csrfHolds(id: string, sent: unknown): boolean {
    if (typeof sent !== 'string') return false;
    // Every key compared, none skipped: the time taken does not say which key matched.
    return this.csrfKeys.map((key) => safeEqual(sent, hmacSha256(key, id))).includes(true);
  }
}

function openWith(key: Buffer, buf: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES)).setAAD(AAD);
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

type Field = 'clientId' | 'redirectUri' | 'state' | 'codeChallenge' | 'nonce' | 'institutionId' | 'locale';
const FIELDS: Field[] = ['clientId', 'redirectUri', 'state', 'codeChallenge', 'nonce', 'institutionId', 'locale'];

/** version (1) | id (16) | expiresAt (8) | per field: length (2, 0xffff for null) and UTF-8 bytes. */
function encode(p: PendingSignIn): Buffer {
  const head = Buffer.alloc(1 + ID_BYTES + 8);
  head.writeUInt8(VERSION, 0);
  Buffer.from(p.id, 'base64url').copy(head, 1);
  head.writeBigUInt64BE(BigInt(p.expiresAt), 1 + ID_BYTES);
  const parts = [head];
  for (const f of FIELDS) {
    const v = p[f];
    const bytes = v === null ? Buffer.alloc(0) : Buffer.from(v, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(v === null ? NONE : bytes.length);
    parts.push(len, bytes);
  }
  return Buffer.concat(parts);
}

function decode(b: Buffer): PendingSignIn | null {
  if (b.length < 1 + ID_BYTES + 8 || b.readUInt8(0) !== VERSION) return null;
  const out: Record<string, string | number | null> = {
    id: b.subarray(1, 1 + ID_BYTES).toString('base64url'),
    expiresAt: Number(b.readBigUInt64BE(1 + ID_BYTES)),
  };
  let at = 1 + ID_BYTES + 8;
  for (const f of FIELDS) {
    if (at + 2 > b.length) return null;
    const len = b.readUInt16BE(at);
    at += 2;
    if (len === NONE) {
      out[f] = null;
      continue;
    }
    if (at + len > b.length) return null;
    out[f] = b.subarray(at, at + len).toString('utf8');
    at += len;
  }
  if (at !== b.length || typeof out.clientId !== 'string' || typeof out.redirectUri !== 'string') return null;
  if (typeof out.state !== 'string' || typeof out.locale !== 'string') return null;
  return out as unknown as PendingSignIn;
}
