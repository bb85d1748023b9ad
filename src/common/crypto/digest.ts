import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a high-entropy secret (client secrets, staff keys, auth tokens), hex. */
export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

export const hmacSha256 = (key: Buffer, value: string): string =>
  createHmac('sha256', key).update(value, 'utf8').digest('hex');

/** Constant-time comparison of two hex digests (or any strings of equal length). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** `bytes` random bytes as base64url: ids, tokens and keys. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
