import { Injectable, Logger } from '@nestjs/common';
import { JWK, SignJWT } from 'jose';
import { JsonWebKey, KeyObject, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { AppConfig } from '@/config/app-config';

// The sandbox's id_token key (docs/oauth.md: "a sandbox key in the sandbox"): published here, so
// it proves nothing; production never uses it (OAuth is off there until ID_TOKEN_KEY is set).
const SANDBOX_ID_TOKEN_KEY = JSON.stringify({
  kty: 'EC',
  crv: 'P-256',
  x: 'CT-tJJJkUeNEXpX6cC5edYiz3wy5vOpzher_K7pRkiE',
  y: 'ZH5lKsq8fxdi3VJOABIxqU8zNkC-DbJa9WRbh7mY3kg',
  d: 'Pbq9f21kiC_3hqG7JLchQCnpxi348-UOsA6vJZgi-Ec',
  kid: 'pxauth-sandbox',
});

export interface IdTokenClaims {
  sub: string;
  aud: string;
  authTime: number;
  nonce?: string | null;
}

interface SigningKey {
  key: KeyObject;
  alg: 'ES256' | 'RS256';
  kid: string;
  publicJwk: JWK;
}

/**
 * Signs id_tokens with `jose` (docs/oauth.md): ES256 for an EC P-256 key, RS256 for an RSA
 * key, from ID_TOKEN_KEY (one PKCS#8 PEM or private JWK) or ID_TOKEN_KEYS (several, newest first:
 * docs/security.md, "Keys that rotate"). The first key signs and names itself in the header's `kid`; the JWKS
 * lists every key, so a token signed before a rotation still verifies after it. Plaid reads only `sub`.
 */
@Injectable()
export class IdTokenSigner {
  private readonly keys: SigningKey[] = [];

  constructor(private readonly config: AppConfig) {
    const raws = config.ID_TOKEN_KEYS
      ? splitKeys(config.ID_TOKEN_KEYS)
      : config.ID_TOKEN_KEY
        ? [config.ID_TOKEN_KEY]
        : config.production
          ? []
          : [SANDBOX_ID_TOKEN_KEY];
    if (!raws.length) {
      new Logger('OAuth').warn('ID_TOKEN_KEY is not set: the OAuth endpoints are off');
      return;
    }
    const name = config.ID_TOKEN_KEYS ? 'ID_TOKEN_KEYS' : 'ID_TOKEN_KEY';
    this.keys = raws.map((raw, i) => signingKey(raw, raws.length > 1 ? `${name} (key ${i + 1})` : name));
    if (new Set(this.keys.map((k) => k.kid)).size !== this.keys.length)
      throw new Error(`${name}: two keys have the same kid`);
  }

  /** OAuth is served only with a key to sign id_tokens with. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get alg(): 'ES256' | 'RS256' | undefined {
    return this.keys[0]?.alg;
  }

  /** The kid of the key that signs. */
  get kid(): string | undefined {
    return this.keys[0]?.kid;
  }

  async sign(c: IdTokenClaims): Promise<string> {
    const { key, alg, kid } = this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ auth_time: Math.floor(c.authTime / 1000), ...(c.nonce ? { nonce: c.nonce } : {}) })
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(this.config.OAUTH_ISSUER)
      .setSubject(c.sub)
      .setAudience(c.aud)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.floor(this.config.ACCESS_TOKEN_TTL / 1000));
    return jwt.sign(key);
  }

  /** Every key's public part with its kid, the signing one first (Plaid does not fetch it). */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}

/**
 * ID_TOKEN_KEYS as one of: a JSON array of PEM strings or JWKs (objects or JSON strings), a JWK Set
 * (`{"keys": [...]}`, RFC 7517 5), or PEM blocks one after another (a file made with `cat new.pem old.pem`).
 */
function splitKeys(raw: string): string[] {
  const text = raw.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('ID_TOKEN_KEYS: not valid JSON (a JSON array of PEMs or JWKs, or a JWK Set)');
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(list) || !list.length)
      throw new Error('ID_TOKEN_KEYS: a JSON array of PEMs or JWKs, or a JWK Set with "keys", listing at least one');
    return list.map((k) => (typeof k === 'string' ? k : JSON.stringify(k)));
  }
  const pems = text.replace(/\\n/g, '\n').match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g);
  if (!pems) throw new Error('ID_TOKEN_KEYS: no PEM block and not JSON');
  return pems;
}

function signingKey(raw: string, name: string): SigningKey {
  let key: KeyObject;
  let kid: string | undefined;
  try {
    if (raw.trim().startsWith('{')) {
      const jwk = JSON.parse(raw) as JWK;
      kid = typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : undefined;
      key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else {
      key = createPrivateKey(raw.replace(/\\n/g, '\n'));
    }
  } catch {
    throw new Error(`${name}: not a private key as PKCS#8 PEM or JWK`);
  }
  let alg: SigningKey['alg'];
  if (key.asymmetricKeyType === 'rsa') alg = 'RS256';
  else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else throw new Error(`${name}: must be an EC P-256 (ES256) or RSA (RS256) private key`);
  const pub = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  kid ??= thumbprint(pub);
  return { key, alg, kid, publicJwk: { ...pub, alg, use: 'sig', kid } };
}

/** RFC 7638: SHA-256 of the key's required members in lexicographic order, base64url; a kid that names the key itself. */
function thumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
