import { createHmac } from 'node:crypto';

export function base32Decode(s: string): Buffer {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) bits += a.indexOf(c).toString(2).padStart(5, '0');
  const out: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

/** RFC 6238 with RFC 4226 dynamic truncation; `key` raw bytes, `t` seconds. */
export function totpRaw(
  key: Buffer,
  t: number,
  digits = 6,
  algo: 'sha1' | 'sha256' | 'sha512' = 'sha1',
  step = 30,
): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / step)));
  const h = createHmac(algo, key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}

export function totpAt(secretB32: string, t = Date.now() / 1000): string {
  return totpRaw(base32Decode(secretB32), t);
}

/**
 * A six-digit code that no time step within two of now gives (the service accepts one step of drift,
 * RFC 6238 section 5.2; two leaves room for a step boundary passing during the request), so it is
 * wrong whenever the request arrives.
 */
export function wrongTotp(secretB32: string, t = Date.now() / 1000): string {
  const near = [-60, -30, 0, 30, 60].map((o) => totpAt(secretB32, t + o));
  let n = (Number(near[2]) + 500_000) % 1_000_000;
  while (near.includes(String(n).padStart(6, '0'))) n = (n + 1) % 1_000_000;
  return String(n).padStart(6, '0');
}
