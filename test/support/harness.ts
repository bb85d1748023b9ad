import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { startPxAuth, PxAuth } from '@/server';
import { TestDatabase, createTestDatabase } from './databases';

export { TEST_ENGINE } from './databases';

export const CLIENT = { id: 'sandbox-client', secret: 'sandbox-secret' };
export const KEYS = { admin: 'sandbox-admin-key', support: 'sandbox-support-key', rs: 'sandbox-rs-key' };
export const PASSWORD = 'pass_good';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
export const KBA_ANSWERS: Record<string, string> = {
  'What city were you born in?': 'San Francisco',
  'Where did you go to high school?': 'Billings High School',
  "What is your mother's maiden name?": 'Platypus',
};

export interface Res {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string>;
}

/**
 * The real app (AppModule, both listeners on ephemeral loopback ports) on a fresh database of its
 * own (a SQLite file in its own temporary folder, or a new PostgreSQL database when the suites run
 * on PostgreSQL), with every log line captured. `restart()` reopens the same database.
 */
export class TestApp {
  readonly logs: string[] = [];
  px!: PxAuth;

  private constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
    private readonly db?: TestDatabase,
  ) {}

  /** `env.DATABASE_URL`, when given, is used as it is (and not dropped afterwards). */
  static async start(
    env: Record<string, string> = {},
    dir = mkdtempSync(join(tmpdir(), 'pxauth-e2e-')),
  ): Promise<TestApp> {
    const db = env.DATABASE_URL ? undefined : await createTestDatabase(dir);
    const t = new TestApp(
      dir,
      {
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_HOST: '127.0.0.1',
        ADMIN_PORT: '0',
        NODE_ENV: 'test',
        DATABASE_URL: db?.url ?? env.DATABASE_URL,
        LOG_LEVEL: 'debug',
        PURGE_INTERVAL: '0',
        // Every request of a suite comes from 127.0.0.1, one address for all its customers: the OAuth
        // per-address limits, on by default, would measure the suite's length. Raised, still counted; the
        // suites about them set their own, or '' for the default (test/oauth-throttle.e2e-spec.ts).
        OAUTH_THROTTLE_PER_ADDRESS: '1000000',
        OAUTH_TOKEN_THROTTLE_PER_ADDRESS: '1000000',
        ...env,
      },
      db,
    );
    try {
      await t.boot();
    } catch (err) {
      await db?.drop();
      throw err;
    }
    return t;
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL;
  }

  private async boot(): Promise<void> {
    const sink = new Writable({
      write: (chunk, _enc, cb) => {
        this.logs.push(String(chunk));
        cb();
      },
    });
    this.px = await startPxAuth({ env: this.env, logStream: sink });
  }

  async restart(): Promise<void> {
    await this.px.close();
    await this.boot();
  }

  async stop(removeFiles = true): Promise<void> {
    await this.px.close();
    if (!removeFiles) return;
    await this.db?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Everything the database holds: SQLite's files (with the WAL), or a pg_dump of the PostgreSQL database. */
  databaseBytes(): Buffer {
    if (!this.db) throw new Error('databaseBytes() needs a database the harness created');
    return this.db.bytes();
  }

  /** A Plaid call: form-encoded body, partner headers, X-PLAID-VERSION. */
  async plaid(
    path: string,
    body?: Record<string, string> | string,
    opts: { headers?: Record<string, string>; client?: typeof CLIENT | null; json?: boolean } = {},
  ): Promise<Res> {
    let req = request(this.px.publicServer)
      .post(path)
      .set('Accept', 'application/json')
      .set('X-PLAID-VERSION', '2021-03-26');
    const client = opts.client === undefined ? CLIENT : opts.client;
    if (client) req = req.set('X-PLAID-CLIENT-ID', client.id).set('X-PLAID-SECRET', client.secret);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
    if (body !== undefined) {
      if (opts.json) req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
      else
        req = req
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(typeof body === 'string' ? body : new URLSearchParams(body).toString());
    }
    return toRes(await req);
  }

  login(
    username: string,
    password = PASSWORD,
    extra: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Res> {
    return this.plaid('/users/auth_token', { username, password, ...extra }, { headers });
  }

  /** A staff call on the internal listener, JSON. */
  async admin(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    key: string | null = KEYS.admin,
  ): Promise<Res> {
    let req = request(this.px.internalServer)[method.toLowerCase() as 'get'](path).set('Accept', 'application/json');
    if (key) req = req.set('Authorization', `Bearer ${key}`);
    if (body !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
    return toRes(await req);
  }

  /** The newest passcode the outbox holds for a phone number or address. */
  async outboxCode(to: string): Promise<string | undefined> {
    const r = await this.admin('GET', `/admin/outbox?to=${encodeURIComponent(to)}`);
    // sms and email say "123456"; voice reads the digits one by one: "1 2 3 4 5 6".
    return r.body.messages?.[0]?.body.match(/\b\d(?: ?\d){3,9}\b/)?.[0].replace(/ /g, '');
  }

  /** user_otp (or another OTP user) through sendOtp by `type`, with the code read from the outbox. */
  async otpChallenge(username = 'user_otp', type: 'sms' | 'voice' | 'email' = 'sms') {
    const a = await this.login(username);
    const method = a.body.challenge.send_methods.find((m: { type: string }) => m.type === type);
    return { userId: a.body.user_id as string, challengeId: a.body.challenge.id as string, method, login: a };
  }

  sendOtp(userId: string, challengeId: string, sendMethodId: string): Promise<Res> {
    return this.plaid(`/users/${userId}/sendOtp`, { challenge_id: challengeId, send_method_id: sendMethodId });
  }

  twoFactor(userId: string, body: Record<string, string> | string): Promise<Res> {
    return this.plaid(`/users/${userId}/2fa`, body);
  }

  /** KBA answers in Plaid's `answers[i].question_id` form; `wrong` answers every question wrongly. */
  kbaForm(challengeId: string, questions: { id: string; text: string }[], wrong = false): string {
    const p = new URLSearchParams({ challenge_id: challengeId });
    questions.forEach((q, i) => {
      p.append(`answers[${i}].question_id`, q.id);
      p.append(`answers[${i}].text`, wrong ? 'nope' : KBA_ANSWERS[q.text]);
    });
    return p.toString();
  }

  /** Audit events of one user, newest first, through the admin API. */
  async events(
    userId: string,
  ): Promise<{ type: string; outcome: string; detail: any; staff_id: string | null; request_id: string | null }[]> {
    return (await this.admin('GET', `/admin/users/${userId}/events`)).body.events;
  }

  /**
   * A user of the calling test alone (so no other test's failures or TOTP steps touch it), made
   * through the admin API; `secret` is the TOTP secret when `fields.totp` enrolled one, `created` the
   * answer to the POST (shown once: the TOTP URI and QR code). `fields` may set the username itself.
   */
  async createUser(
    prefix: string,
    fields: Record<string, unknown> = {},
    password = `pw-${prefix}-Secret!`,
  ): Promise<TestUser> {
    const body = { username: `${prefix}_${++userSeq}_${Math.random().toString(36).slice(2, 8)}`, password, ...fields };
    const created = await this.admin('POST', '/admin/users', body);
    expect(created.status).toBe(201);
    const totpUri = created.body.totp_uri as string | undefined;
    const secret = totpUri ? new URL(totpUri).searchParams.get('secret')! : undefined;
    return { username: body.username, password: body.password, userId: created.body.user_id, secret, created };
  }

  async userIdOf(username: string): Promise<string> {
    return (await this.admin('GET', `/admin/users?username=${encodeURIComponent(username)}`)).body.users[0].user_id;
  }
}

export interface TestUser {
  username: string;
  password: string;
  userId: string;
  secret?: string;
  created: Res;
}
let userSeq = 0;

function toRes(r: request.Response): Res {
  return { status: r.status, body: r.body, text: r.text, headers: r.headers };
}

/** The documented envelope and nothing else (docs/api.md#requests-and-errors). */
export function expectEnvelope(r: Res, status: number, id: string): void {
  expect({ status: r.status, id: r.body?.error?.id }).toEqual({ status, id });
  expect(Object.keys(r.body).sort()).toEqual(['error', 'request_id']);
  expect(typeof r.body.request_id).toBe('string');
  expect(r.body.request_id).toBe(r.headers['x-request-id']);
  expect(typeof r.body.error.message).toBe('string');
  const allowed = status === 503 ? ['id', 'message', 'retry_at'] : ['id', 'message'];
  expect(Object.keys(r.body.error).sort()).toEqual(allowed);
  expect(r.text).not.toMatch(/node_modules|at \w+ \(|SQLITE|QueryFailedError|TypeError|stack/i);
}

/** RFC 6238 TOTP written independently of the service (as shared/check/lib.mjs does). */
export { totpAt, wrongTotp } from './totp';

/**
 * `send`, again every 250 ms while it still answers 200, for at most `withinMs`: the first other answer,
 * or the last 200. For what a process may trust for a while after another process changed it (a staff
 * key or a client secret revoked by the CLI or by another replica).
 */
export async function firstRefusal(send: () => Promise<Res>, withinMs: number): Promise<Res> {
  const deadline = Date.now() + withinMs;
  let r = await send();
  while (r.status === 200 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 250));
    r = await send();
  }
  return r;
}
