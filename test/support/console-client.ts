import request from 'supertest';
import type { TestApp } from './harness';

/** A browser-like client of the support console (cookies kept, pages asked for as HTML), over supertest. */
export class ConsoleClient {
  readonly agent: ReturnType<typeof request.agent>;
  /** The CSRF token of the last page read that had one. */
  csrf = '';

  constructor(
    readonly app: TestApp,
    private readonly language = 'en',
  ) {
    this.agent = request.agent(app.px.internalServer);
  }

  static async signedIn(app: TestApp, key: string, language = 'en'): Promise<ConsoleClient> {
    const c = new ConsoleClient(app, language);
    const r = await c.signIn(key);
    expect({ status: r.status, location: r.headers.location }).toEqual({ status: 303, location: '/console/users' });
    return c;
  }

  async signIn(key: string): Promise<request.Response> {
    await this.get('/console/login');
    return this.post('/console/login', { key });
  }

  /** A page, as a browser asks for it; the CSRF token it carries is kept for the next change. */
  async get(path: string): Promise<request.Response> {
    const r = await this.agent.get(path).set('Accept', 'text/html').set('Accept-Language', this.language);
    const m = /name="_csrf" value="([^"]+)"/.exec(r.text ?? '');
    if (m) this.csrf = m[1];
    return r;
  }

  /** A form post, with the kept CSRF token unless `csrf` says otherwise (null: none at all). */
  post(
    path: string,
    fields: Record<string, string>,
    opts: { csrf?: string | null; accept?: string } = {},
  ): Promise<request.Response> {
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    const body = new URLSearchParams(csrf === null ? fields : { ...fields, _csrf: csrf }).toString();
    return this.agent
      .post(path)
      .set('Accept', opts.accept ?? 'text/html')
      .set('Accept-Language', this.language)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(body);
  }
}

/** The visible text of an HTML page, tags removed and entities decoded, spaces collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
