import { Injectable } from '@nestjs/common';
import { generators } from 'openid-client';
import { KeyRing } from '@/common/crypto/key-ring';

/** The browser's cookie of a sign-in at the provider, from its start to its callback. */
export const OIDC_FLOW_COOKIE = 'pxauth_console_oidc';
/** How long a person has to sign in at the provider; the cookie, and its sealed expiry, last this long. */
export const OIDC_FLOW_TTL_SECONDS = 600;

/** What the callback must see again: the authorization request's state, nonce and PKCE verifier. */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** Epoch ms; sealed with the rest, so a browser cannot stretch its sign-in. */
  expiresAt: number;
}

// Bound to its purpose: nothing else sealed under ENCRYPTION_KEYS opens as a sign-in's flow.
const AAD = 'pxauth console oidc flow v1';
const AAD_ID_TOKEN = 'pxauth console oidc id token v1';
const MAX_COOKIE = 1024;

/**
 * The sign-in's secrets (state and nonce, OpenID Connect Core 1.0 sections 3.1.2.1 and 15.5.2; the PKCE
 * verifier, RFC 7636) live in the browser that started it, sealed with AES-256-GCM under ENCRYPTION_KEYS
 * as the OAuth sign-in cookie is: unreadable, unforgeable, no row per anonymous start. A callback with
 * another browser's code, or a state altered or replayed, finds no matching flow and is refused.
 */
@Injectable()
export class OidcFlows {
  constructor(private readonly keys: KeyRing) {}

  begin(now = Date.now()): OidcFlow {
    return {
      state: generators.state(),
      nonce: generators.nonce(),
      verifier: generators.codeVerifier(),
      expiresAt: now + OIDC_FLOW_TTL_SECONDS * 1000,
    };
  }

  seal(flow: OidcFlow): string {
    return this.keys.encrypt(JSON.stringify([flow.state, flow.nonce, flow.verifier, flow.expiresAt]), AAD);
  }

  /** The flow a cookie holds, or null: absent, altered, sealed under no configured key, or expired. */
  open(value: string | undefined, now = Date.now()): OidcFlow | null {
    if (!value || value.length > MAX_COOKIE) return null;
    let fields: unknown;
    try {
      fields = JSON.parse(this.keys.decrypt(value, AAD));
    } catch {
      return null;
    }
    if (!Array.isArray(fields) || fields.length !== 4) return null;
    const [state, nonce, verifier, expiresAt] = fields as unknown[];
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return null;
    if (typeof expiresAt !== 'number' || expiresAt <= now) return null;
    return { state, nonce, verifier, expiresAt };
  }

  /** A person's ID token for their session row: kept for the provider's logout, never in clear. */
  sealIdToken(idToken: string, subject: string): string {
    return this.keys.encrypt(idToken, `${AAD_ID_TOKEN} ${subject}`);
  }

  openIdToken(sealed: string, subject: string): string | null {
    try {
      return this.keys.decrypt(sealed, `${AAD_ID_TOKEN} ${subject}`);
    } catch {
      return null;
    }
  }
}
