import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { freePort } from '../support/replica';

/**
 * No container engine runs here, so this does what the Dockerfile does. Its `deps` stage: a
 * clean directory with package.json and package-lock.json only, `npm ci --omit=dev` (the machine's
 * npm cache first); its `runtime` stage: dist/ copied in, `node dist/main.js` with NODE_ENV=production
 * against PostgreSQL. A Plaid client and a user are made with the CLI of that install, and a login is
 * answered. Production refuses the outbox, so delivery is `live` with email to an SMTP server on
 * loopback (no login here sends anything).
 *
 * The one step not redone here is compiling the native addons (argon2, better-sqlite3): it took about 80
 * of this suite's 90 s, and the same lockfile's addons were compiled from source on this machine by the
 * main install (`.ci/run`'s `npm ci`, which runs the same install scripts). So the install runs with
 * --ignore-scripts, each compiled addon of the main install is copied in where its version is the one
 * installed here, and every other package with an install script has it run (`npm rebuild`), which
 * compiles an addon the main install lacks. What is proven is unchanged: production dependencies alone,
 * dist/ from the build, addons that load, a production start that answers a login.
 */

const ROOT = join(__dirname, '..', '..');
// Email only, as live delivery configures it (INSTITUTION_NAME: the texts name the bank).
const LIVE = {
  OTP_DELIVERY: 'live',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  MAIL_FROM: 'pxauth@bank.example',
  INSTITUTION_NAME: 'Example Bank',
};

const INSTALL_TIMEOUT_MS = 15 * 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The lockfile's production packages that have an install script (their names in node_modules). */
function scriptedProductionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && p.hasInstallScript && !p.dev)
    .map(([path]) => path.slice('node_modules/'.length));
}

const versionOf = (modules: string, name: string): string | undefined => {
  const file = join(modules, name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
};

/**
 * Copies `name`'s compiled addons (build/Release/*.node) from the main install into `modules`; false
 * when the main install has none, or has another version than the one installed there.
 */
function copyCompiledAddons(name: string, modules: string): boolean {
  const release = join(ROOT, 'node_modules', name, 'build', 'Release');
  const version = versionOf(modules, name);
  if (!version || version !== versionOf(join(ROOT, 'node_modules'), name) || !existsSync(release)) return false;
  const addons = readdirSync(release).filter((f) => f.endsWith('.node'));
  if (addons.length === 0) return false;
  mkdirSync(join(modules, name, 'build', 'Release'), { recursive: true });
  for (const f of addons) copyFileSync(join(release, f), join(modules, name, 'build', 'Release', f));
  return true;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

describe('a production install, as the image builds and runs it', () => {
  let dir: string;
  let db: TestDatabase;
  let smtp: SMTPServer;
  let env: Record<string, string>;
  let install: Run;

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'dist', 'main.js'))).toBe(true); // `npx nest build` (npm test's pretest)
    dir = mkdtempSync(join(tmpdir(), 'pxauth-prod-'));
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
    const npmArgs = ['--prefer-offline', '--no-audit', '--no-fund'];
    install = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', ...npmArgs], { cwd: dir });
    const modules = join(dir, 'node_modules');
    const toRun = scriptedProductionPackages().filter(
      (name) => existsSync(join(modules, name)) && !copyCompiledAddons(name, modules),
    );
    if (install.code === 0 && toRun.length > 0)
      install = await run('npm', ['rebuild', ...toRun, ...npmArgs], { cwd: dir });
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });

    db = await createTestDatabase(dir);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (s, _x, cb) => s.resume().on('end', cb),
    });
    const smtpPort = await freePort();
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...LIVE,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs production dependencies only, with native modules that load', async () => {
    expect({ code: install.code, tail: install.code ? install.stderr.slice(-2000) : '' }).toEqual({
      code: 0,
      tail: '',
    });
    // (typescript itself is there: typeorm 1.x brings ts-node, and with it typescript, as a peer.)
    for (const dev of ['jest', 'ts-jest', '@nestjs/cli', 'supertest', 'smtp-server', 'autocannon', 'eslint']) {
      expect([dev, existsSync(join(dir, 'node_modules', dev))]).toEqual([dev, false]);
    }
    const loaded = await run(
      process.execPath,
      ['-e', "require('argon2').hash('x').then(()=>{new (require('better-sqlite3'))(':memory:');console.log('ok')})"],
      { cwd: dir },
    );
    expect(loaded.stdout.trim()).toBe('ok');
  });

  // Production refuses the outbox: it starts with live delivery, pointed at nothing it sends to.
  it('starts with npm run start:prod (no dev dependency), its secrets from files, against PostgreSQL, and answers a login', async () => {
    const cli = (args: string[], input?: string) =>
      run(process.execPath, ['dist/cli/main.js', ...args, '--json'], { cwd: dir, env, input });
    const migrated = await cli(['db:migrate']);
    expect({ code: migrated.code, stderr: migrated.stderr }).toEqual({ code: 0, stderr: '' });
    const client = JSON.parse((await cli(['clients:create', '--name', 'Plaid production'])).stdout) as {
      client_id: string;
      client_secret: string;
    };
    const made = await cli(['users:create', '--username', 'alice', '--password-stdin'], 'correct horse battery');
    expect(made.code).toBe(0);

    const [port, adminPort] = [await freePort(), await freePort()];
    // The secrets as a Kubernetes Secret mounts them: files, with the trailing newline kubectl leaves.
    const { ENCRYPTION_KEY, DATABASE_URL, ...rest } = env;
    const secrets = mkdtempSync(join(tmpdir(), 'pxauth-secrets-'));
    writeFileSync(join(secrets, 'encryption-key'), `${ENCRYPTION_KEY}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, 'database-url'), `${DATABASE_URL}\n`, { mode: 0o600 });
    const fromFiles = {
      ENCRYPTION_KEY_FILE: join(secrets, 'encryption-key'),
      DATABASE_URL_FILE: join(secrets, 'database-url'),
    };
    // Its own process group: npm, and the node it starts, get the SIGTERM below.
    const child = spawn('npm', ['run', '--silent', 'start:prod'], {
      cwd: dir,
      detached: true,
      env: {
        ...process.env,
        ...rest,
        ...fromFiles,
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output.slice(-2000)}`);
        const ready = await fetch(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`not ready: ${output.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const login = await fetch(`${base}/users/auth_token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-PLAID-CLIENT-ID': client.client_id,
          'X-PLAID-SECRET': client.client_secret,
        },
        body: 'username=alice&password=correct+horse+battery',
      });
      const body = (await login.json()) as { user_id: string; auth_token: string };
      expect(login.status).toBe(200);
      expect(body.auth_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The sandbox is off in production: its documented client does not exist.
      const sandbox = await fetch(`${base}/users/auth_token`, {
        method: 'POST',
        headers: { 'X-PLAID-CLIENT-ID': 'sandbox-client', 'X-PLAID-SECRET': 'sandbox-secret' },
        body: new URLSearchParams({ username: 'user_good', password: 'pass_good' }),
      });
      expect(sandbox.status).toBe(401);
      // The start-up line: JSON, the database named without credentials, not the sandbox.
      const started = output
        .split('\n')
        .filter((l) => l.includes('pxauth started'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ delivery: 'live', sandbox: false, credential_source: 'local' });
    } finally {
      const closed = new Promise((r) => child.once('close', r));
      process.kill(-child.pid!, 'SIGTERM');
      await closed;
      rmSync(secrets, { recursive: true, force: true });
    }
  });
});
