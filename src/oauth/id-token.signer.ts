import { Injectable, Logger } from '@nestjs/common';
import { JWK, KeyLike, SignJWT } from 'jose';
import { JsonWebKey, KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { AppConfig } from '@/config/app-config';

// The sandbox's id_token key (PRODUCT.md section 14: "a sandbox key in the sandbox"): published here, so
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

/**
 * Signs id_tokens with `jose` (PRODUCT.md section 14): ES256 for an EC P-256 key, RS256 for an RSA
 * key, from ID_TOKEN_KEY as a PKCS#8 PEM or a private JWK. Plaid reads only `sub`.
 */
@Injectable()
export class IdTokenSigner {
  private readonly key?: KeyLike;
  readonly alg?: 'ES256' | 'RS256';
  readonly kid?: string;
  private readonly publicJwk?: JWK;

  constructor(private readonly config: AppConfig) {
    const raw = config.ID_TOKEN_KEY ?? (config.production ? undefined : SANDBOX_ID_TOKEN_KEY);
    if (!raw) {
      new Logger('OAuth').warn('ID_TOKEN_KEY is not set: the OAuth endpoints are off');
      return;
    }
    const { key, alg, kid } = parseKey(raw);
    this.key = key;
    this.alg = alg;
    this.publicJwk = { ...(createPublicKey(key).export({ format: 'jwk' }) as JWK), alg, use: 'sig' };
    this.kid = kid ?? `${alg}-${this.publicJwk.kty}`;
    this.publicJwk.kid = this.kid;
  }

  /** OAuth is served only with a key to sign id_tokens with. */
  get enabled(): boolean {
    return this.key !== undefined;
  }

  async sign(c: IdTokenClaims): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ auth_time: Math.floor(c.authTime / 1000), ...(c.nonce ? { nonce: c.nonce } : {}) })
      .setProtectedHeader({ alg: this.alg!, kid: this.kid, typ: 'JWT' })
      .setIssuer(this.config.OAUTH_ISSUER)
      .setSubject(c.sub)
      .setAudience(c.aud)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.floor(this.config.ACCESS_TOKEN_TTL / 1000));
    return jwt.sign(this.key!);
  }

  /** The public key, for whoever wants to check a signature (Plaid does not fetch it). */
  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwk ? [this.publicJwk] : [] };
  }
}

function parseKey(raw: string): { key: KeyObject; alg: 'ES256' | 'RS256'; kid?: string } {
  let key: KeyObject;
  let kid: string | undefined;
  try {
    if (raw.trim().startsWith('{')) {
      const jwk = JSON.parse(raw) as JWK;
      kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
      key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else {
      key = createPrivateKey(raw.replace(/\\n/g, '\n'));
    }
  } catch {
    throw new Error('ID_TOKEN_KEY: not a private key as PKCS#8 PEM or JWK');
  }
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256', kid };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return { key, alg: 'ES256', kid };
  throw new Error('ID_TOKEN_KEY: must be an EC P-256 (ES256) or RSA (RS256) private key');
}
