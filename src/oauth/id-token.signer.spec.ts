import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@/config/app-config';
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
});
