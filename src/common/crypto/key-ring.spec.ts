import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { loadConfig } from '@/config/load-config';
import { KeyRing, UnopenableError } from './key-ring';

const A = 'a1'.repeat(32);
const B = randomBytes(32).toString('base64url');
const C = 'c3'.repeat(32);
const ring = (keys: string) => new KeyRing(loadConfig({ ENCRYPTION_KEYS: keys }));

/** A TOTP secret as the service sealed it before keys had ids: bare base64url of iv | tag | ciphertext. */
function sealedTheOldWay(key: string, plain: string, aad: string): string {
  const totpKey = Buffer.from(
    hkdfSync('sha256', Buffer.from(key, 'hex'), Buffer.alloc(0), 'pxauth totp secret aes-256-gcm', 32),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', totpKey, iv).setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

describe(KeyRing.name, () => {
  it('seals under the first key and names it: an 8-hex key id, then the ciphertext', () => {
    const sut = ring(`${B},${A}`);
    const sealed = sut.encrypt('JBSWY3DPEHPK3PXP', 'totp:u1');
    expect(sealed).toMatch(/^[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[0]).toBe(sut.currentKeyId);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sut.decrypt(sealed, 'totp:u1')).toBe('JBSWY3DPEHPK3PXP');
    expect(sut.isCurrent(sealed)).toBe(true);
  });

  it('the key id depends on the key alone, and differs between keys', () => {
    expect(ring(A).currentKeyId).toBe(ring(`${A},${B}`).currentKeyId);
    expect(ring(A).currentKeyId).not.toBe(ring(B).currentKeyId);
    // ENCRYPTION_KEY alone is the same ring as a list of one.
    expect(new KeyRing(loadConfig({ ENCRYPTION_KEY: A })).currentKeyId).toBe(ring(A).currentKeyId);
  });

  it('opens a value sealed under the second key, and says it is not current', () => {
    const sealed = ring(A).encrypt('secret-1', 'totp:u1');
    const sut = ring(`${B},${A}`);
    expect(sut.decrypt(sealed, 'totp:u1')).toBe('secret-1');
    expect(sut.isCurrent(sealed)).toBe(false);
  });

  it('opens a value from before key ids under any configured key, newest first', () => {
    const old = sealedTheOldWay(A, 'secret-old', 'totp:u1');
    expect(ring(A).decrypt(old, 'totp:u1')).toBe('secret-old');
    expect(ring(`${B},${A}`).decrypt(old, 'totp:u1')).toBe('secret-old');
    expect(ring(`${B},${A}`).isCurrent(old)).toBe(false);
    expect(() => ring(B).decrypt(old, 'totp:u1')).toThrow(UnopenableError);
  });

  it('refuses a value whose key id no configured key has, naming the id only', () => {
    const sealed = ring(A).encrypt('secret-2', 'totp:u1');
    const err = catchError(() => ring(`${B},${C}`).decrypt(sealed, 'totp:u1'));
    expect(err).toBeInstanceOf(UnopenableError);
    expect((err as UnopenableError).keyId).toBe(ring(A).currentKeyId);
    expect((err as Error).message).not.toMatch(/secret-2|a1a1/);
  });

  it('refuses a tampered value, one bound to another row, or a named key that did not seal it', () => {
    const sut = ring(`${B},${A}`);
    const sealed = sut.encrypt('secret-3', 'totp:u1');
    const [id, body] = sealed.split('.');
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(() => sut.decrypt(`${id}.${bytes.toString('base64url')}`, 'totp:u1')).toThrow(UnopenableError);
    expect(() => sut.decrypt(sealed, 'totp:u2')).toThrow(UnopenableError);
    // The ciphertext relabelled with the other key's id: the named key alone is tried, and it fails.
    expect(() => sut.decrypt(`${ring(A).currentKeyId}.${body}`, 'totp:u1')).toThrow(UnopenableError);
    expect(() => sut.decrypt(`${id}.AAAA`, 'totp:u1')).toThrow(UnopenableError);
  });

  it('derives with the first key, and every key for verifying', () => {
    const sut = ring(`${B},${A}`);
    expect(sut.derive('x')).toEqual(ring(B).derive('x'));
    expect(sut.deriveAll('x')).toEqual([ring(B).derive('x'), ring(A).derive('x')]);
    expect(sut.otpKeys).toEqual(sut.deriveAll('pxauth otp code hmac-sha256'));
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}
