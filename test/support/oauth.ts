import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Res, TestApp } from './harness';
import { CLIENT } from './harness';

export const PLAID_REDIRECT = 'https://cdn.plaid.com/link/v2/stable/oauth.html';

/** A PKCE pair (RFC 7636): the verifier the client keeps, the S256 challenge it sends. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * A customer's browser on the hosted pages, without JavaScript: it keeps the sign-in cookie, reads
 * the CSRF token from each page, and posts the forms as they are.
 */
export class Browser {
  private readonly agent: ReturnType<typeof request.agent>;
  csrf = '';
  last!: Res;

  /** `headers` go with every request (X-Forwarded-For, to speak from an address of the test's own). */
  constructor(
    readonly t: TestApp,
    private readonly lang = 'en',
    private headers: Record<string, string> = {},
  ) {
    this.agent = request.agent(t.px.publicServer);
  }

  /** From now on speaks with these headers instead (another source address), keeping its cookie. */
  moveTo(headers: Record<string, string>): void {
    this.headers = headers;
  }

  async authorize(params: Record<string, string | undefined> = {}): Promise<Res> {
    const q = new URLSearchParams();
    const all = {
      response_type: 'code',
      client_id: CLIENT.id,
      redirect_uri: PLAID_REDIRECT,
      state: 'st-123',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) q.append(k, v);
    return this.keep(await this.agent.get(`/oauth2/authorize?${q.toString()}`).set(this.headersWith()));
  }

  /** Follows a link (an authorize URL a client library built, say): path and query on the public listener. */
  async get(pathAndQuery: string): Promise<Res> {
    return this.keep(await this.agent.get(pathAndQuery).set(this.headersWith()));
  }

  /** Posts a form of the current page; `_csrf` is the page's unless given. */
  async post(path: string, fields: Record<string, string> | URLSearchParams = {}): Promise<Res> {
    const body = new URLSearchParams(fields);
    if (!body.has('_csrf')) body.set('_csrf', this.csrf);
    return this.keep(
      await this.agent
        .post(path)
        .set(this.headersWith({ 'Content-Type': 'application/x-www-form-urlencoded' }))
        .send(body.toString()),
    );
  }

  signIn(username: string, password: string): Promise<Res> {
    return this.post('/oauth2/signin', { username, password });
  }

  private headersWith(extra: Record<string, string> = {}): Record<string, string> {
    return { 'Accept-Language': this.lang, ...this.headers, ...extra };
  }

  private keep(r: request.Response): Res {
    this.last = { status: r.status, body: r.body, text: r.text, headers: r.headers };
    const m = /name="_csrf" value="([^"]+)"/.exec(r.text ?? '');
    if (m) this.csrf = m[1];
    return this.last;
  }
}

/** The redirect's query: code or error, and state. */
export function redirected(r: Res): URL {
  expect([r.status, typeof r.headers.location]).toEqual([303, 'string']);
  return new URL(r.headers.location);
}

/** The values of the named hidden or radio inputs of a page, in order. */
export function inputValues(html: string, name: string): string[] {
  const re = new RegExp(`name="${name.replace(/[[\].]/g, '\\$&')}" value="([^"]*)"`, 'g');
  return [...html.matchAll(re)].map((m) => m[1]);
}

export type ClientAuth = 'basic' | 'body';

/** POST /oauth2/token as Plaid sends it: JSON or form, the client by Basic or in the body. */
export async function tokenRequest(
  t: TestApp,
  fields: Record<string, string>,
  opts: {
    auth?: ClientAuth;
    json?: boolean;
    client?: { id: string; secret: string };
    headers?: Record<string, string>;
  } = {},
): Promise<Res> {
  const client = opts.client ?? CLIENT;
  const body: Record<string, string> = { ...fields };
  let req = request(t.px.publicServer)
    .post('/oauth2/token')
    .set(opts.headers ?? {});
  if ((opts.auth ?? 'basic') === 'basic')
    req = req.set(
      'Authorization',
      `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
    );
  else Object.assign(body, { client_id: client.id, client_secret: client.secret });
  const r = opts.json
    ? await req.set('Content-Type', 'application/json').send(JSON.stringify(body))
    : await req.set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(body).toString());
  return { status: r.status, body: r.body, text: r.text, headers: r.headers };
}

/** Introspection on the internal listener, as the bank's data API asks (docs/api.md#tokens-for-the-banks-data-api). */
export async function introspect(t: TestApp, token: string): Promise<any> {
  return (await t.admin('POST', '/tokens/introspect', { token }, 'sandbox-rs-key')).body;
}

/** An authorization code for `username`, signed in through the hosted pages (no second factor). */
export async function signInCode(
  t: TestApp,
  username = 'user_good',
  password = 'pass_good',
  params: Record<string, string> = {},
): Promise<string> {
  const b = new Browser(t);
  await b.authorize(params);
  return redirected(await b.signIn(username, password)).searchParams.get('code')!;
}

/** grant_type=authorization_code for a code issued to PLAID_REDIRECT. */
export function exchangeCode(
  t: TestApp,
  code: string,
  extra: Record<string, string> = {},
  opts: Parameters<typeof tokenRequest>[2] = {},
): Promise<Res> {
  return tokenRequest(t, { grant_type: 'authorization_code', code, redirect_uri: PLAID_REDIRECT, ...extra }, opts);
}

/** grant_type=refresh_token, as Plaid sends it. */
export function refreshRequest(t: TestApp, refreshToken: string, opts: Parameters<typeof tokenRequest>[2] = {}) {
  return tokenRequest(t, { grant_type: 'refresh_token', refresh_token: refreshToken }, opts);
}
