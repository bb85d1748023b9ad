import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/replica';

/**
 * pxauth as an operator runs it: `node dist/main.js` (built by `npm test`'s pretest), configured by
 * its environment alone, stopped by a signal (docs/api.md#listeners and docs/architecture.md#storage and README.md#the-sandbox).
 */
const ROOT = join(__dirname, '..');
/** The PostgreSQL server of the e2e-postgres project (jest.config.js), on a database it does not have. */
function missingPgDatabase(password: string): string {
  const u = new URL(process.env.PXAUTH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  u.password = password;
  u.pathname = '/pxauth_no_such_db';
  return u.toString();
}
const SANDBOX_CLIENT = { 'X-PLAID-CLIENT-ID': 'sandbox-client', 'X-PLAID-SECRET': 'sandbox-secret' };

class Proc {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    readonly admin: string,
    readonly port: number,
  ) {
    child.stdout!.on('data', (d) => (this.stdout += d));
    child.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Spawns on free loopback ports; `env` values of undefined remove a variable from the environment. */
  static async spawn(env: Record<string, string | undefined>): Promise<Proc> {
    const [port, adminPort] = [await freePort(), await freePort()];
    const merged: Record<string, string | undefined> = {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_PORT: String(adminPort),
      ...env,
    };
    for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new Proc(child, `http://127.0.0.1:${port}`, `http://127.0.0.1:${adminPort}`, port);
    running.add(p);
    return p;
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.stderr.slice(-2000)}`);
      try {
        if ((await fetch(`${this.base}/readyz`)).status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not ready: ${this.stderr.slice(-2000)}`);
  }

  /** The exit code, or a failure if the process is still running at the deadline. */
  async exitWithin(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const running = new Set<Proc>();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pxauth-proc-'));
  dirs.push(d);
  return d;
};

const GOOD_KEY = 'c0ffee'.repeat(10) + 'c0ff';
/** Starts that cannot reach their database: TypeOrmModule's bounded retry (10 tries, 2 s apart) ends each. */
const RETRIES: [string, string, RegExp][] = [
  ['an unreachable PostgreSQL', 'postgres://u:s3cretpw@127.0.0.1:1/x', /ECONNREFUSED/],
  ['a malformed DATABASE_URL', 'postgres://u:s3cretpw@127.0.0.1:notaport/x', /Invalid URL/],
  // Where the machine has a PostgreSQL (the e2e-postgres project's), it refuses the database.
  ['a PostgreSQL that refuses the database', missingPgDatabase('s3cretpw'), /does not exist|ECONNREFUSED/],
];
/** Each of RETRIES, started with the suite so that its 20 s of waiting overlap the other tests; read last. */
const RETRYING = new Map<string, Promise<{ code: number | null; output: string }>>();
beforeAll(() => {
  for (const [name, url] of RETRIES) {
    const exited = (async () => {
      const p = await Proc.spawn({ DATABASE_URL: url, ENCRYPTION_KEY: GOOD_KEY, LOG_LEVEL: 'debug' });
      try {
        return { code: await p.exitWithin(60_000), output: p.stdout + p.stderr };
      } finally {
        p.kill();
      }
    })();
    // Read in its test; until then a failure is not an unhandled rejection.
    exited.catch(() => undefined);
    RETRYING.set(name, exited);
  }
});

afterAll(() => {
  for (const p of running) p.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Answer = { status?: number; body?: any; error?: string; reusedSocket?: boolean };

/** One HTTP call through `agent`, answered or failed (never thrown); `onSent` once its bytes are written. */
function call(
  agent: Agent,
  url: string,
  opts: { body?: string; headers?: Record<string, string>; onSent?: () => void } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: opts.body === undefined ? 'GET' : 'POST', agent, headers: opts.headers },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, body: JSON.parse(text), reusedSocket: req.reusedSocket });
          } catch {
            resolve({ status: res.statusCode, error: `not JSON: ${text}` });
          }
        });
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: e.message }));
    req.on('finish', () => opts.onSent?.());
    req.end(opts.body);
  });
}

function login(agent: Agent, base: string, username: string, password: string, onSent?: () => void): Promise<Answer> {
  const body = new URLSearchParams({ username, password }).toString();
  const headers = {
    ...SANDBOX_CLIENT,
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-PLAID-VERSION': '2021-03-26',
  };
  return call(agent, `${base}/users/auth_token`, { body, headers, onSent });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/**
 * Whether connections to `port` are refused within the deadline. Polled: on a busy machine the
 * process may log its shutdown line and then wait for a CPU before it closes its listener.
 */
async function refusesConnections(port: number, withinMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!(await refused(port))) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('the pxauth process', () => {
  describe('on the embedded default', () => {
    const dir = tempDir();
    const file = join(dir, 'not', 'yet', 'pxauth.sqlite');
    let p: Proc;
    // No NODE_ENV, no SANDBOX, no keys: what `npm start` does on a fresh checkout (but on a file of our own).
    beforeAll(async () => {
      expect(existsSync(join(dir, 'not'))).toBe(false);
      p = await Proc.spawn({
        NODE_ENV: undefined,
        SANDBOX: undefined,
        ENCRYPTION_KEY: undefined,
        LOG_LEVEL: undefined,
        DATABASE_URL: `sqlite:${file}`,
      });
      await p.ready();
    });
    afterAll(() => p?.kill());

    it('answers /healthz and /readyz on both listeners, having created the SQLite file and its folder', async () => {
      for (const base of [p.base, p.admin]) {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
      }
      expect(existsSync(file)).toBe(true);
    });

    it('seeded the sandbox: the documented client logs user_good in', async () => {
      const r = await login(new Agent(), p.base, 'user_good', 'pass_good');
      expect(r.status).toBe(200);
      expect(typeof r.body.auth_token).toBe('string');
    });

    it('logs JSON lines on stdout, and the lines of a request carry its X-Request-Id', async () => {
      const r = await fetch(`${p.base}/users/auth_token`, {
        method: 'POST',
        headers: {
          ...SANDBOX_CLIENT,
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-PLAID-VERSION': '2021-03-26',
          'X-Request-Id': 'test-req-123',
        },
        body: 'username=user_good&password=pw-not-logged-7731',
      });
      expect(r.status).toBe(401);
      expect(r.headers.get('x-request-id')).toBe('test-req-123');
      // pino writes asynchronously: wait (up to a deadline) for the request's completion line.
      const complete = () => p.stdout.slice(0, p.stdout.lastIndexOf('\n') + 1);
      const mineOf = () =>
        complete()
          .split('\n')
          .filter((l) => l.includes('test-req-123'))
          .map((l) => JSON.parse(l));
      const deadline = Date.now() + 10_000;
      while (!mineOf().some((o) => o.res) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));

      const lines = complete()
        .split('\n')
        .filter((l) => l.trim());
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      const mine = mineOf();
      expect(mine.every((o) => o.request_id === 'test-req-123')).toBe(true);
      expect(mine.find((o) => o.res)).toMatchObject({
        request_id: 'test-req-123',
        req: { method: 'POST', path: '/users/auth_token' },
        res: { status: 401 },
      });
      // More than the access line: what the login itself logged (its audit event) carries the id too.
      expect(mine.length).toBeGreaterThan(1);
      expect(p.stdout).not.toContain('pw-not-logged-7731');
    });
  });

  it('on SIGTERM answers every request in flight, refuses new connections and exits 0', async () => {
    const dir = tempDir();
    const p = await Proc.spawn({
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      LOG_LEVEL: 'info',
      // Twenty logins queue for two argon2 checks: on a busy machine some would wait past the default 1 s
      // and be shed (503), which is the overload suite's subject, not this one's.
      OVERLOAD_QUEUE_TIMEOUT: '30s',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    try {
      await p.ready();
      // Twenty users of their own, so that no login waits on another's lockout counter.
      const users = Array.from({ length: 20 }, (_, i) => `drain_${i}`);
      for (const username of users) {
        const r = await fetch(`${p.admin}/admin/users`, {
          method: 'POST',
          headers: { Authorization: 'Bearer sandbox-admin-key', 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password: 'drain password' }),
        });
        expect(r.status).toBe(201);
      }
      // Twenty connections the server has accepted. A connection still in the kernel's accept queue
      // when the listener closes is reset: in flight means accepted by the server here.
      expect((await Promise.all(users.map(() => call(agent, `${p.base}/healthz`)))).map((a) => a.status)).toEqual(
        users.map(() => 200),
      );

      let signalled = false;
      let answeredAfterSignal = 0;
      let sent = 0;
      let allSent!: () => void;
      const written = new Promise<void>((resolve) => {
        allSent = resolve;
      });
      const logins = users.map((u) =>
        login(agent, p.base, u, 'drain password', () => {
          if (++sent === users.length) allSent();
        }).then((r) => {
          if (signalled) answeredAfterSignal++;
          return r;
        }),
      );
      // Signal once all are written and the first is answered: the server has read every request by
      // then (argon2 keeps each busy for tens of ms, four at a time) and most are still being served.
      await written;
      await Promise.race(logins);
      p.child.kill('SIGTERM');
      signalled = true;

      expect(await refusesConnections(p.port)).toBe(true);

      const answers = await Promise.all(logins);
      expect(
        answers.filter((a) => a.status !== 200 || typeof a.body?.auth_token !== 'string' || !a.reusedSocket),
      ).toEqual([]);
      expect(await p.exitWithin(10_000)).toBe(0);
      expect(await refusesConnections(p.port)).toBe(true);
      // The drain was exercised: some logins were still being served when the signal was sent.
      expect(answeredAfterSignal).toBeGreaterThan(0);
    } finally {
      agent.destroy();
      p.kill();
    }
  });

  it('with SHUTDOWN_DELAY, readiness fails at once while new connections are still served, closing after', async () => {
    const p = await Proc.spawn({
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(tempDir(), 'db.sqlite')}`,
      SHUTDOWN_DELAY: '3s',
    });
    try {
      await p.ready();
      p.child.kill('SIGTERM');
      let ready = 200;
      for (let i = 0; ready === 200 && i < 50; i++) ready = (await fetch(`${p.base}/readyz`)).status;
      expect(ready).toBe(503);
      // A load balancer that has not noticed yet still gets answers, on connections that then close.
      const r = await fetch(`${p.base}/users/auth_token`, {
        method: 'POST',
        headers: { ...SANDBOX_CLIENT, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'username=user_good&password=pass_good',
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('connection')).toBe('close');
      expect(await p.exitWithin(15_000)).toBe(0);
    } finally {
      p.kill();
    }
  });

  describe('refuses to start on a bad setting, naming the variable', () => {
    it.each([
      ['LOCKOUT_MODE', { LOCKOUT_MODE: 'sometimes' }],
      ['LOCKOUT_THRESHOLD', { LOCKOUT_THRESHOLD: '101' }],
      ['PORT', { PORT: 'abc' }],
      ['ENCRYPTION_KEY', { NODE_ENV: 'production', ENCRYPTION_KEY: undefined, SANDBOX: undefined }],
      ['SANDBOX', { NODE_ENV: 'production', SANDBOX: 'true', ENCRYPTION_KEY: 'a'.repeat(64) }],
      // A typo in a boolean is refused, not read as false.
      ['SANDBOX', { SANDBOX: 'ture' }],
      ['KBA_ENABLED', { KBA_ENABLED: 'flase' }],
    ])('%s', async (variable, env) => {
      const p = await Proc.spawn({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(tempDir(), 'db.sqlite')}`, ...env });
      try {
        expect(await p.exitWithin(20_000)).not.toBe(0);
        expect(p.stderr).toMatch(new RegExp(`\\b${variable}\\b`));
        expect(p.stderr).not.toMatch(/\n\s+at \S/); // one message, no stack trace
      } finally {
        p.kill();
      }
    });
  });

  // Whatever stops the start, neither stream shows a secret setting or the database password.
  describe('prints no secret when it cannot start', () => {
    const KEY = 'not-a-key-but-s3cret';

    it('on a bad ENCRYPTION_KEY: names it, without its value', async () => {
      const p = await Proc.spawn({ DATABASE_URL: `sqlite:${join(tempDir(), 'db.sqlite')}`, ENCRYPTION_KEY: KEY });
      try {
        expect(await p.exitWithin(20_000)).not.toBe(0);
        expect(p.stderr).toMatch(/\bENCRYPTION_KEY\b.*must be 32 bytes/);
        expect(p.stdout + p.stderr).not.toContain(KEY);
      } finally {
        p.kill();
      }
    });

    // TypeOrmModule retries for about 20 s and logs each failure: every line is checked. The three
    // processes were started with the suite (RETRYING, above) and have waited through the other tests.
    it.each(RETRIES)(
      'on %s: exits non-zero without the password',
      async (name, _url, failure) => {
        const { code, output } = await RETRYING.get(name)!;
        expect(code).not.toBe(0);
        expect(output).toMatch(failure);
        expect(output).not.toContain('s3cretpw');
        expect(output).not.toContain(GOOD_KEY);
      },
      90_000,
    );
  });
});
