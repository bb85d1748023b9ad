import { execFileSync } from 'node:child_process';
import { createGuardrails, generateSync, stringToBytes } from 'otplib';
import { KeyRing } from '@/common/crypto/key-ring';
import { loadConfig } from '@/config/load-config';
import type { User } from '@/users/user.entity';
import { base32Decode, totpRaw } from '../../test/support/totp';
import { TotpService } from './totp.service';

// RFC 6238 Appendix B: seeds and the 8-digit values at each time.
const SEEDS = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890'.repeat(6) + '1234',
};
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];
const SHA1_SEED_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** oathtool's code for a Base32 secret at an instant; throws, failing the test, when oathtool is absent. */
function oathtool(secretB32: string, iso: string): string {
  const now = iso.replace('T', ' ').replace('Z', ' UTC');
  try {
    return execFileSync('oathtool', ['--totp', '-b', secretB32, '--now', now], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`oathtool failed (apt-get install oathtool, as .ci/run does): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

describe(TotpService.name, () => {
  const keys = new KeyRing(loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEY: 'a'.repeat(64) }));
  const sut = new TotpService(keys);
  const userWith = (secretB32: string): User =>
    ({ id: 'u1', totpSecretSealed: sut.enroll(secretB32).sealed('u1') }) as User;

  it.each(VECTORS)(
    'the library we use reproduces RFC 6238 at t=%i for SHA-1, SHA-256 and SHA-512',
    (t, sha1, sha256, sha512) => {
      const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });
      for (const [algorithm, want] of [
        ['sha1', sha1],
        ['sha256', sha256],
        ['sha512', sha512],
      ] as const) {
        expect(
          generateSync({ secret: stringToBytes(SEEDS[algorithm]), epoch: t, digits: 8, algorithm, guardrails }),
        ).toBe(want);
        // An implementation written independently of otplib agrees.
        expect(totpRaw(Buffer.from(SEEDS[algorithm]), t, 8, algorithm)).toBe(want);
      }
    },
  );

  it.each(VECTORS)('accepts the 6-digit SHA-1 code of RFC 6238 at t=%i, at its own time step', (t, sha1) => {
    const user = userWith(SHA1_SEED_B32);
    expect(base32Decode(SHA1_SEED_B32).toString()).toBe(SEEDS.sha1);
    expect(sut.matchStep(user, sha1.slice(-6), t * 1000)).toBe(Math.floor(t / 30));
  });

  it('accepts one step of drift either way and no more', () => {
    const user = userWith('JBSWY3DPEHPK3PXP');
    const t = 1_800_000_000;
    const code = totpRaw(base32Decode('JBSWY3DPEHPK3PXP'), t);
    expect(sut.matchStep(user, code, (t + 30) * 1000)).toBe(Math.floor(t / 30));
    expect(sut.matchStep(user, code, (t - 30) * 1000)).toBe(Math.floor(t / 30));
    expect(sut.matchStep(user, code, (t + 60) * 1000)).toBeNull();
    expect(sut.matchStep(user, code, (t - 60) * 1000)).toBeNull();
  });

  it('refuses malformed passcodes and users without TOTP', () => {
    const user = userWith('JBSWY3DPEHPK3PXP');
    expect(sut.matchStep(user, '12345')).toBeNull();
    expect(sut.matchStep(user, 'abcdef')).toBeNull();
    expect(sut.matchStep({ id: 'u2', totpSecretSealed: null } as User, '123456')).toBeNull();
  });

  it('stores the secret sealed, bound to its user', () => {
    const sealed = sut.enroll('JBSWY3DPEHPK3PXP').sealed('u1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(keys.decrypt(sealed, 'totp:u1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => keys.decrypt(sealed, 'totp:u2')).toThrow();
  });

  // No skip when oathtool is missing: a cross-check that can pass without running checks nothing
  //. .ci/run installs Debian's oathtool; install it the same way to run this suite.
  it.each(['2027-01-15T12:00:00Z', '2033-05-18T03:33:20Z', '2038-01-19T03:14:07Z'])(
    'agrees with oathtool, an implementation nobody here wrote, at %s',
    (iso) => {
      const t = Date.parse(iso) / 1000;
      const code = oathtool('JBSWY3DPEHPK3PXP', iso);
      expect(code).toMatch(/^\d{6}$/);
      expect(sut.matchStep(userWith('JBSWY3DPEHPK3PXP'), code, t * 1000)).toBe(Math.floor(t / 30));
      // two steps later the same code is no longer accepted (one step of drift, RFC 6238 section 5.2)
      expect(sut.matchStep(userWith('JBSWY3DPEHPK3PXP'), code, (t + 60) * 1000)).toBeNull();
    },
  );
});
