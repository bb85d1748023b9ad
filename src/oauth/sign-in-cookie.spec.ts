import { KeyRing } from '@/common/crypto/key-ring';
import type { AppConfig } from '@/config/app-config';
import { PendingSignIn, SignInCookies } from './sign-in-cookie';

const ringOf = (key?: string) => new KeyRing({ encryptionKeys: key ? [key] : [] } as AppConfig);
const KEY = 'a1'.repeat(32);

describe(SignInCookies.name, () => {
  const sut = new SignInCookies(ringOf(KEY));
  const pending = (over: Partial<PendingSignIn> = {}): PendingSignIn => ({
    id: sut.newId(),
    clientId: 'sandbox-client',
    redirectUri: 'https://cdn.plaid.com/link/v2/stable/oauth.html',
    state: 'eyJvYXV0aF9zdGF0ZV9pZCI6IjEyMyJ9',
    codeChallenge: null,
    nonce: 'n-0S6_WzA2Mj',
    institutionId: null,
    locale: 'es',
    expiresAt: Date.now() + 600_000,
    ...over,
  });

  it('opens what it sealed, nulls included, and shows none of it', () => {
    const p = pending();
    const cookie = sut.seal(p);
    expect(sut.open(cookie)).toEqual(p);
    expect(Buffer.from(cookie, 'base64url').toString('latin1')).not.toContain('sandbox-client');
    // A fresh IV each time: two seals of one sign-in differ.
    expect(sut.seal(p)).not.toBe(cookie);
  });

  it('opens nothing altered, truncated, sealed under another key, or past its expiry', () => {
    const p = pending();
    const cookie = sut.seal(p);
    const bytes = Buffer.from(cookie, 'base64url');
    for (const i of [0, 12, 20, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[i] ^= 1;
      expect(sut.open(altered.toString('base64url'))).toBeNull();
    }
    expect(sut.open(cookie.slice(0, -4))).toBeNull();
    expect(sut.open(new SignInCookies(ringOf('b2'.repeat(32))).seal(p))).toBeNull();
    expect(sut.open(new SignInCookies(ringOf()).seal(p))).toBeNull();
    expect(sut.open(cookie, p.expiresAt)).toBeNull();
    expect(sut.open(cookie, p.expiresAt - 1)).toEqual(p);
    for (const junk of [undefined, '', 'not base64!', 'A'.repeat(5000)]) expect(sut.open(junk)).toBeNull();
  });

  it('keeps the largest authorize request under the 4 KiB a browser stores per cookie', () => {
    const largest = pending({
      clientId: 'c'.repeat(64),
      redirectUri: `https://bank.example/${'p'.repeat(490)}`,
      state: '"'.repeat(1024),
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      nonce: '\u20ac'.repeat(256),
      institutionId: 'i'.repeat(64),
    });
    const cookie = sut.seal(largest);
    expect(sut.open(cookie)).toEqual(largest);
    expect(`pxauth_signin=${cookie}`.length).toBeLessThan(4096);
  });

  it('gives each sign-in its own CSRF token, checked in constant time against the sent value', () => {
    const [a, b] = [pending(), pending()];
    expect(sut.csrfOf(a.id)).toMatch(/^[0-9a-f]{64}$/);
    expect(sut.csrfOf(a.id)).not.toBe(sut.csrfOf(b.id));
    expect(sut.csrfHolds(a.id, sut.csrfOf(a.id))).toBe(true);
    expect(sut.csrfHolds(a.id, sut.csrfOf(b.id))).toBe(false);
    expect(sut.csrfHolds(a.id, [sut.csrfOf(a.id)])).toBe(false);
    expect(sut.csrfHolds(a.id, undefined)).toBe(false);
  });

  it('opens a sign-in sealed under the previous key, and its CSRF token holds, after a rotation', () => {
    const before = new SignInCookies(ringOf(KEY));
    const p = pending();
    const cookie = before.seal(p);
    const rotated = new SignInCookies(new KeyRing({ encryptionKeys: ['b2'.repeat(32), KEY] } as AppConfig));
    expect(rotated.open(cookie)).toEqual(p);
    expect(rotated.csrfHolds(p.id, before.csrfOf(p.id))).toBe(true);
    // New ones are sealed under the new key alone: a replica still on the old key list cannot open them.
    expect(before.open(rotated.seal(p))).toBeNull();
    expect(before.csrfHolds(p.id, rotated.csrfOf(p.id))).toBe(false);
    const dropped = new SignInCookies(ringOf('b2'.repeat(32)));
    expect(dropped.open(cookie)).toBeNull();
    expect(dropped.csrfHolds(p.id, before.csrfOf(p.id))).toBe(false);
  });
});
