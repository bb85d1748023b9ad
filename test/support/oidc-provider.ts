import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './replica';

export interface OidcAccount {
  name?: string;
  email?: string;
  groups?: string[] | string;
}

export const OIDC_CLIENT = { id: 'pxauth-console', secret: 'console-client-secret-for-tests' };

/**
 * A real OpenID Connect provider (oidc-provider 9, in a child process: it is ESM only) with `accounts`
 * and one client, pxauth's console at `consoleBase`. Its issuer names `localhost`, another site than
 * pxauth's 127.0.0.1, so that a browser's trip there and back is cross-site, as with a bank's provider.
 */
export class TestProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  static async start(
    accounts: Record<string, OidcAccount>,
    consoleBase: string,
    port = 0,
    opts: { claimsInUserinfoOnly?: boolean } = {},
  ): Promise<TestProvider> {
    const client = {
      client_id: OIDC_CLIENT.id,
      client_secret: OIDC_CLIENT.secret,
      redirect_uris: [`${consoleBase}/console/oidc/callback`],
      post_logout_redirect_uris: [`${consoleBase}/console/login?out=1`],
    };
    const child = spawn(
      process.execPath,
      [join(__dirname, 'openid-provider.mjs'), JSON.stringify({ accounts, client, port, ...opts })],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const errors: string[] = [];
    child.stderr.on('data', (d) => errors.push(String(d)));
    const [line] = (await Promise.race([
      once(createInterface({ input: child.stdout }), 'line'),
      once(child, 'exit').then(() => {
        throw new Error(`the test provider stopped: ${errors.join('')}`);
      }),
    ])) as [string];
    return new TestProvider(child, (JSON.parse(line) as { issuer: string }).issuer);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill();
    await once(this.child, 'exit');
  }
}

/** pxauth's settings for console sign-in through `issuer`, with its internal listener on `adminPort`. */
export function oidcEnv(issuer: string, adminPort: number): Record<string, string> {
  return {
    ADMIN_PORT: String(adminPort),
    CONSOLE_OIDC_ISSUER: issuer,
    CONSOLE_OIDC_CLIENT_ID: OIDC_CLIENT.id,
    CONSOLE_OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
    CONSOLE_OIDC_REDIRECT_URI: `http://127.0.0.1:${adminPort}/console/oidc/callback`,
    CONSOLE_OIDC_SUPPORT_VALUES: 'helpdesk,tier2',
    CONSOLE_OIDC_ADMIN_VALUES: 'pxauth-admins',
  };
}

export { freePort };

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Visit {
  status: number;
  url: string;
  location: string | null;
  headers: Headers;
  text: string;
}

/**
 * A browser without a browser, for the HTTP suites: one cookie jar per host (name, value, path; no
 * expiry but Max-Age=0), pages asked for as HTML, redirects followed one by one so that a test may stop
 * at any of them (`until`).
 */
export class CookieJar {
  private readonly jars = new Map<string, Cookie[]>();

  async visit(
    url: string,
    opts: { form?: Record<string, string>; until?: (url: URL) => boolean } = {},
  ): Promise<Visit> {
    let target = new URL(url);
    let form = opts.form;
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(target, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          Accept: 'text/html',
          Cookie: this.cookieHeader(target),
          ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      this.keep(target, res.headers.getSetCookie());
      const location = res.headers.get('location');
      const visit = {
        status: res.status,
        url: target.toString(),
        location,
        headers: res.headers,
        text: await res.text(),
      };
      if (!location || res.status < 300 || res.status > 399) return visit;
      const next = new URL(location, target);
      if (opts.until?.(next)) return visit;
      target = next;
      form = undefined;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.find((c) => c.name === name)?.value;
  }

  setCookie(url: string, name: string, value: string, path = '/'): void {
    this.keep(new URL(url), [`${name}=${encodeURIComponent(value)}; Path=${path}`]);
  }

  private cookieHeader(url: URL): string {
    return (this.jars.get(url.host) ?? [])
      .filter((c) => url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }

  private keep(url: URL, setCookies: string[]): void {
    const jar = this.jars.get(url.host) ?? [];
    for (const header of setCookies) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = decodeURIComponent(pair.slice(i + 1));
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const gone = attrs.some((a) => /^max-age=0$/i.test(a)) || attrs.some((a) => /^expires=.*1970/i.test(a));
      const rest = jar.filter((c) => !(c.name === name && c.path === path));
      jar.length = 0;
      jar.push(...rest, ...(gone ? [] : [{ name, value, path }]));
    }
    this.jars.set(url.host, jar);
  }
}

/** The `name="_csrf"`-style hidden fields and the action of the first form of a page. */
export function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) fields[name] = value ?? '';
  }
  return { action: action.replace(/&amp;/g, '&'), fields };
}
