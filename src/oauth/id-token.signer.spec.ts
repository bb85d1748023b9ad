import { JWK, calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@/config/load-config';
import { IdTokenSigner } from './id-token.signer';

const signerWith = (env: Record<string, string>) => new IdTokenSigner(loadConfig(env));
const claims = { sub: 'user-1', aud: 'client-1', authTime: Date.now() - 5_000 };

describe(IdTokenSigner.name, () => {
  it('signs ES256 with an EC P-256 key given as PKCS#8 PEM', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sut = signerWith({ ID_TOKEN_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    const jwt = await sut.sign(claims);
    expect(decodeProtectedHeader(jwt).alg).toBe('ES256');
    const { payload } = await jwtVerify(jwt, await importJWK(sut.jwks().keys[0], 'ES256'), {
      issuer: 'http://localhost:3000',
      audience: 'client-1',
    });
    expect(payload).toMatchObject({ sub: 'user-1', auth_time: Math.floor(claims.authTime / 1000) });
    expect(sut.jwks().keys[0]).not.toHaveProperty('d');
  });

  it('signs RS256 with an RSA key given as a JWK, keeping its kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bank-2026' };
    const sut = signerWith({ ID_TOKEN_KEY: JSON.stringify(jwk), OAUTH_ISSUER: 'https://bank.example' });
    const jwt = await sut.sign({ ...claims, nonce: 'n-1' });
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', kid: 'bank-2026' });
    const { payload } = await jwtVerify(jwt, await importJWK(sut.jwks().keys[0], 'RS256'), {
      issuer: 'https://bank.example',
    });
    expect(payload.nonce).toBe('n-1');
  });

  it('uses the sandbox key outside production, and none in production without ID_TOKEN_KEY (OAuth off)', () => {
    expect(signerWith({}).enabled).toBe(true);
    expect(signerWith({}).kid).toBe('pxauth-sandbox');
    // (Production settings are validated elsewhere; here only what the signer reads of them.)
    const production = Object.assign(loadConfig({}), { NODE_ENV: 'production' });
    expect(new IdTokenSigner(production).enabled).toBe(false);
  });

  it('refuses other keys with a message naming the setting and not the value', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => signerWith({ ID_TOKEN_KEY: pem })).toThrow(/^ID_TOKEN_KEY: must be an EC P-256/);
    expect(() => signerWith({ ID_TOKEN_KEY: 'secret-garbage' })).toThrow('ID_TOKEN_KEY: not a private key');
  });

  describe('ID_TOKEN_KEYS', () => {
    const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pemOf = (k: ReturnType<typeof ec>) => k.export({ format: 'pem', type: 'pkcs8' }).toString();

    it('signs with the first key, names it in the header, and lists every public key in the JWKS', async () => {
      const [k2, k1] = [ec(), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey];
      const jwks = [
        { ...k2.export({ format: 'jwk' }), kid: '2' },
        { ...k1.export({ format: 'jwk' }), kid: '1' },
      ];
      const old = signerWith({ ID_TOKEN_KEY: JSON.stringify(jwks[1]) });
      const oldToken = await old.sign(claims);
      for (const given of [
        JSON.stringify(jwks),
        JSON.stringify({ keys: jwks }),
        JSON.stringify(jwks.map((j) => JSON.stringify(j))),
      ]) {
        const sut = signerWith({ ID_TOKEN_KEYS: given });
        const token = await sut.sign(claims);
        expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: '2' });
        expect(sut.jwks().keys.map((k) => [k.kid, k.alg])).toEqual([
          ['2', 'ES256'],
          ['1', 'RS256'],
        ]);
        for (const k of sut.jwks().keys) expect(k).not.toHaveProperty('d');
        const oldKey = sut.jwks().keys.find((k) => k.kid === decodeProtectedHeader(oldToken).kid)!;
        await expect(jwtVerify(oldToken, await importJWK(oldKey, 'RS256'))).resolves.toBeDefined();
      }
    });

    it('takes PEM blocks one after another, each named by its RFC 7638 thumbprint', async () => {
      const [k2, k1] = [ec(), ec()];
      const sut = signerWith({ ID_TOKEN_KEYS: `${pemOf(k2)}${pemOf(k1)}` });
      const [j2, j1] = sut.jwks().keys;
      expect(j2.kid).toBe(await calculateJwkThumbprint(k2.export({ format: 'jwk' }) as JWK));
      expect(j1.kid).toBe(await calculateJwkThumbprint(k1.export({ format: 'jwk' }) as JWK));
      expect(decodeProtectedHeader(await sut.sign(claims)).kid).toBe(j2.kid);
    });

    it('refuses a list that is empty, not JSON nor PEM, holds a bad key, or repeats a kid, never quoting a key', () => {
      const pem = pemOf(ec());
      expect(() => signerWith({ ID_TOKEN_KEYS: '[]' })).toThrow(/^ID_TOKEN_KEYS: a JSON array/);
      expect(() => signerWith({ ID_TOKEN_KEYS: '[not json' })).toThrow(/^ID_TOKEN_KEYS: not valid JSON/);
      expect(() => signerWith({ ID_TOKEN_KEYS: 'secret-garbage' })).toThrow(/^ID_TOKEN_KEYS: no PEM block/);
      expect(() => signerWith({ ID_TOKEN_KEYS: JSON.stringify([pem, 'secret-garbage']) })).toThrow(
        /^ID_TOKEN_KEYS \(key 2\): not a private key as PKCS#8 PEM or JWK$/,
      );
      expect(() => signerWith({ ID_TOKEN_KEYS: `${pem}${pem}` })).toThrow(
        /^ID_TOKEN_KEYS: two keys have the same kid$/,
      );
    });
  });
});
