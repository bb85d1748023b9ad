import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BaseClient, Issuer, TokenSet, errors, generators } from 'openid-client';
import { apiText, PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';
import { consoleRoleOf, displayNameOf } from './console-oidc-roles';
import type { OidcFlow } from './console-oidc-flow';
import type { ConsolePerson } from './console-session.service';

/** A callback that signed a person in at the provider: who, their role (null: none), their ID token. */
export interface OidcSignIn {
  subject: string;
  name: string;
  role: ConsolePerson['role'] | null;
  idToken: string | null;
}

/** The provider answered, but not with a sign-in this browser began: refused, no session. */
export class OidcRefused extends Error {}

// The console asks for who the person is; the role claim comes from the ID token, else from userinfo (docs/console.md).
const SCOPE = 'openid profile email';
const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * The bank's OpenID Connect provider, as openid-client 5 speaks to it: the authorization code flow with
 * PKCE (S256), state and nonce; the ID token checked by openid-client (signature against the provider's
 * JWKS, issuer, audience, expiry, nonce: OpenID Connect Core 1.0 section 3.1.3.7).
 *
 * Discovery is lazy and retried: pxauth starts, and staff keys sign in, while the provider is down. It
 * is tried once at start (a failure is logged), then by each sign-in until it succeeds; a sign-in while
 * it fails is a clear 503 on the sign-in page. Once read, the metadata is kept for the process's life.
 */
@Injectable()
export class ConsoleOidc implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConsoleOidc');
  private client: BaseClient | null = null;
  private discovering: Promise<BaseClient> | null = null;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return !!this.config.CONSOLE_OIDC_ISSUER;
  }

  onApplicationBootstrap(): void {
    // Not awaited: the start never waits for, nor fails with, the provider.
    if (this.enabled) this.discover().catch(() => undefined);
  }

  /** Where the browser goes to sign in, for this flow. */
  async authorizationUrl(flow: OidcFlow): Promise<string> {
    const client = await this.discover();
    return client.authorizationUrl({
      scope: SCOPE,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: generators.codeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * The callback's code exchanged and its ID token checked against `flow` (state, nonce, verifier).
   * Throws OidcRefused for what the provider or the browser got wrong; SERVICE_UNAVAILABLE when the
   * provider cannot be reached.
   */
  async finish(callbackUrl: string, flow: OidcFlow | null): Promise<OidcSignIn> {
    const client = await this.discover();
    if (!flow) throw new OidcRefused('no sign-in was started in this browser, or it expired');
    try {
      const tokens = await client.callback(this.config.CONSOLE_OIDC_REDIRECT_URI, client.callbackParams(callbackUrl), {
        state: flow.state,
        nonce: flow.nonce,
        code_verifier: flow.verifier,
        response_type: 'code',
      });
      const claims = await this.claimsOf(client, tokens);
      // OpenID Connect Core 1.0, section 2: a sub is at most 255 ASCII characters; a longer one is no person's.
      if (claims.sub.length > 255) throw new OidcRefused('the ID token has a sub longer than 255 characters');
      return {
        subject: claims.sub,
        name: displayNameOf(claims, claims.sub),
        role: consoleRoleOf(claims, {
          claim: this.config.CONSOLE_OIDC_ROLE_CLAIM,
          support: this.config.CONSOLE_OIDC_SUPPORT_VALUES ?? [],
          admin: this.config.CONSOLE_OIDC_ADMIN_VALUES ?? [],
        }),
        idToken: tokens.id_token ?? null,
      };
    } catch (err) {
      if (err instanceof OidcRefused) throw err;
      if (err instanceof errors.OPError || (err instanceof errors.RPError && !/timed out/.test(err.message)))
        throw new OidcRefused(err.message);
      this.logger.warn({ err: String(err) }, 'the OpenID Connect provider could not be reached at sign-in');
      throw unavailable();
    }
  }

  /**
   * The ID token's claims; when the role claim is not among them and the provider has a userinfo
   * endpoint, the role claim (and a display name the ID token lacks) from the userinfo answer. Some
   * providers send groups only there (Okta's default authorization server, or an ID token kept small).
   * openid-client refuses a userinfo answer whose sub differs from the ID token's (OpenID Connect Core
   * 1.0, section 5.3.2), so another person's groups can never be read.
   */
  private async claimsOf(client: BaseClient, tokens: TokenSet): Promise<Record<string, unknown> & { sub: string }> {
    const claims = tokens.claims() as Record<string, unknown> & { sub: string };
    const claim = this.config.CONSOLE_OIDC_ROLE_CLAIM;
    if (claim in claims || !client.issuer.metadata.userinfo_endpoint || !tokens.access_token) return claims;
    const info = await client.userinfo<Record<string, unknown>>(tokens);
    const extra: Record<string, unknown> = { [claim]: info[claim] };
    for (const name of ['name', 'preferred_username', 'email']) if (!(name in claims)) extra[name] = info[name];
    return { ...claims, ...extra };
  }

  /**
   * The provider's logout (OpenID Connect RP-Initiated Logout 1.0, section 2) when its discovery names
   * an end_session_endpoint, coming back to the console's sign-in page; else null. Only metadata already
   * read is used: signing out never waits for a provider that is down.
   */
  logoutUrl(idToken: string | null): string | null {
    if (!this.client?.issuer.metadata.end_session_endpoint) return null;
    return this.client.endSessionUrl({
      id_token_hint: idToken ?? undefined,
      post_logout_redirect_uri: this.postLogoutRedirectUri(),
    });
  }

  /** Where the provider sends the browser after its logout: register it at the provider. */
  postLogoutRedirectUri(): string {
    return new URL('/console/login?out=1', this.config.CONSOLE_OIDC_REDIRECT_URI).toString();
  }

  private discover(): Promise<BaseClient> {
    if (this.client) return Promise.resolve(this.client);
    this.discovering ??= this.load().finally(() => (this.discovering = null));
    return this.discovering;
  }

  private async load(): Promise<BaseClient> {
    const configured = this.config.CONSOLE_OIDC_ISSUER!;
    try {
      const issuer = await Issuer.discover(configured);
      // OpenID Connect Discovery 1.0, section 4.3: the issuer a document names must be the one asked for,
      // else the ID tokens it describes would be checked against another provider's issuer.
      if (trimSlash(String(issuer.metadata.issuer)) !== trimSlash(configured))
        throw new Error(`the discovery document names the issuer ${String(issuer.metadata.issuer)}`);
      const secret = this.config.CONSOLE_OIDC_CLIENT_SECRET;
      this.client = new issuer.Client({
        client_id: this.config.CONSOLE_OIDC_CLIENT_ID!,
        ...(secret ? { client_secret: secret } : {}),
        redirect_uris: [this.config.CONSOLE_OIDC_REDIRECT_URI!],
        post_logout_redirect_uris: [this.postLogoutRedirectUri()],
        response_types: ['code'],
        token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
      });
      this.logger.log({ issuer: configured }, 'OpenID Connect provider discovered for the console');
      return this.client;
    } catch (err) {
      this.logger.warn(
        { issuer: configured, err: err instanceof Error ? err.message : String(err) },
        'OpenID Connect discovery failed; console sign-in through the provider retries at the next attempt',
      );
      throw unavailable();
    }
  }
}

// A provider down is retried at the next sign-in; a person is told to wait a little, or to use a staff key.
const RETRY_MS = 10_000;
const unavailable = () => PxError.unavailable(new Date(Date.now() + RETRY_MS), apiText('console.providerDown'));
