import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@/database/migrations';
import { PASSWORD, TestApp, expectEnvelope, totpAt } from './support/harness';
import {
  CLI,
  ROOT,
  Ran,
  cli,
  cliProcess,
  expectRefused,
  inParallel,
  json,
  requireBuiltCli,
  runBin,
} from './support/cli';

const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

/**
 * `npm run cli -- <command>` or `npx pxauth <command>` (docs/cli.md), run as an operator runs it (the
 * built dist/cli, which `npm test` builds first), on the SQLite file a running service also uses. Most
 * command lines run in the suite's CLI host (test/support/cli.ts); a process of its own runs what only a
 * process shows: the bin by its #! line, --version, exit codes as the shell sees them, the retry's wait.
 */
describe('cli', () => {
  // The bounded retry waits about 18 s (10 tries, 2 s apart): started first, its test reads it last.
  let unreachable: Promise<Ran>;
  beforeAll(() => {
    requireBuiltCli();
    unreachable = cliProcess('postgres://u:s3cretpw@127.0.0.1:1/x', ['outbox:list'], { timeoutMs: 60_000 });
    // Read in its test; until then a failure to start is not an unhandled rejection.
    unreachable.catch(() => undefined);
  });

  describe('as a tool', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("package.json's bin is the built CLI; run by its #! line it prints JSON alone on stdout", async () => {
      expect(PACKAGE.bin).toEqual({ pxauth: 'dist/cli/main.js' });
      const bin = join(ROOT, PACKAGE.bin.pxauth);
      expect(bin).toBe(CLI);
      expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
      const url = `sqlite:${join(dir, 'bin.sqlite')}`;
      const r = await runBin(bin, ['clients:list', '--json'], { DATABASE_URL: url, SANDBOX: 'true' });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout).clients.map((c: { client_id: string }) => c.client_id)).toEqual(['sandbox-client']);
    });

    it("--version prints package.json's version, without opening the database", async () => {
      const r = await cliProcess(`sqlite:${join(dir, 'unused.sqlite')}`, ['--version']);
      expect(r).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' });
      // Nothing was opened for it.
      expect(existsSync(join(dir, 'unused.sqlite'))).toBe(false);
    });

    it('a mistyped command is refused on one line with the command it resembles', async () => {
      expectRefused(
        await cliProcess(`sqlite:${join(dir, 'unused.sqlite')}`, ['users:sho', '--user-id', 'x']),
        2,
        /^error: unknown command 'users:sho' \(Did you mean users:show\?\) \(see npm run cli -- --help\)\n$/,
      );
      expectRefused(
        await cliProcess(`sqlite:${join(dir, 'unused.sqlite')}`, ['maintenance:stats']),
        2,
        /^error: unknown command 'maintenance:stats' \(Did you mean maintenance:status\?\)/,
      );
    });

    it("docs/cli.md is what the program says: the guide and every command's --help (npm run docs:cli)", async () => {
      const r = await cli(`sqlite:${join(dir, 'unused.sqlite')}`, ['help-all']);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8')).toBe(r.stdout);
      expect(r.stdout).not.toMatch(/PRODUCT\.md|\bissue \d|\.\.\/shared/i);
    });
  });

  describe('db:status', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('on a new SQLite file: every migration pending, exit 1, and no file made; after db:migrate, exit 0', async () => {
      const url = `sqlite:${join(dir, 'later', 'db.sqlite')}`;
      const before = await cli(url, ['db:status', '--json']);
      expect(before.code).toBe(1);
      expect(before.stderr).toBe(
        `error: ${MIGRATIONS.length} migration(s) pending: run db:migrate (or start the service)\n`,
      );
      expect(JSON.parse(before.stdout)).toEqual({
        engine: 'sqlite',
        applied: [],
        pending: MIGRATIONS.map((m) => ({ timestamp: Number(/\d{13}$/.exec(m.name)![0]), name: m.name })),
        up_to_date: false,
      });
      expect(existsSync(join(dir, 'later'))).toBe(false);
      const text = await cli(url, ['db:status']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(
        /^engine: sqlite\nMigrations applied \(0\):\nMigrations pending \(\d+\):\n {2}\[ \] InitialSchema1763800000000\n/,
      );

      expect((await cli(url, ['db:migrate'])).code).toBe(0);
      const after = json(await cli(url, ['db:status', '--json']));
      expect(after).toMatchObject({ engine: 'sqlite', pending: [], up_to_date: true });
      expect(after.applied.map((m: { name: string }) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
      expect((await cli(url, ['db:status'])).stdout).toMatch(/\nThe schema is up to date\.\n$/);
    });
  });

  describe('db:migrate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('creates and migrates a new database, lists what is applied, and a second run changes nothing', async () => {
      const url = `sqlite:${join(dir, 'new', 'db.sqlite')}`;
      const first = await cli(url, ['db:migrate']);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/InitialSchema1763800000000/);
      expect(existsSync(join(dir, 'new', 'db.sqlite'))).toBe(true);

      const a = json(await cli(url, ['db:migrate', '--json']));
      const b = json(await cli(url, ['db:migrate', '--json']));
      expect(a).toEqual({
        applied: MIGRATIONS.map((m) => ({ timestamp: Number(/\d{13}$/.exec(m.name)![0]), name: m.name })),
        pending: false,
      });
      expect(b).toEqual(a);
    });
  });

  describe('on the database of a running service', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-cli-'));
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const run = (args: string[], opts?: { input?: string; env?: Record<string, string> }) => cli(url, args, opts);
    let t: TestApp;

    beforeAll(async () => {
      expect((await run(['db:migrate'])).code).toBe(0);
      t = await TestApp.start({ DATABASE_URL: url }, dir);
    });
    afterAll(async () => {
      await t?.stop(false);
      rmSync(dir, { recursive: true, force: true });
    });

    it('clients:create prints credentials that authenticate a Plaid call; clients:rotate adds a second secret', async () => {
      const text = await run(['clients:create', '--name', 'Plaid (production)']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/client_id:\s+[0-9a-f]{32}\n/);
      expect(text.stdout).toMatch(/client_secret:\s+[0-9a-f]{64}\n/);

      const issued = json(await run(['clients:create', '--name', 'Plaid (production)', '--json']));
      const client = { id: issued.client_id, secret: issued.client_secret };
      expect(
        (await t.plaid('/users/auth_token', { username: 'user_good', password: PASSWORD }, { client })).status,
      ).toBe(200);
      expectEnvelope(
        await t.plaid(
          '/users/auth_token',
          { username: 'user_good', password: PASSWORD },
          { client: { ...client, secret: 'f'.repeat(64) } },
        ),
        401,
        'INVALID_CLIENT',
      );

      const rotated = json(await run(['clients:rotate', '--client-id', client.id, '--json']));
      expect(rotated).toMatchObject({ client_id: client.id, slot: 2 });
      expect(rotated.client_secret).not.toBe(client.secret);
      for (const secret of [client.secret, rotated.client_secret]) {
        expect(
          (
            await t.plaid(
              '/users/auth_token',
              { username: 'user_good', password: PASSWORD },
              { client: { id: client.id, secret } },
            )
          ).status,
        ).toBe(200);
      }
      expectRefused(
        await run(['clients:rotate', '--client-id', client.id]),
        1,
        /^error: CONFLICT: .*two active secrets/,
      );
      expectRefused(
        await run(['clients:rotate', '--client-id', 'no-such-client']),
        1,
        /^error: NOT_FOUND: No such client\.\n$/,
      );
    });

    it('staff:create prints a key that works on the admin API, with the role it was given', async () => {
      const text = await run(['staff:create', '--name', 'Dana at the help desk', '--role', 'support']);
      expect(text.stdout).toMatch(/key:\s+\S+/);
      const key = json(
        await run(['staff:create', '--name', 'Dana at the help desk', '--role', 'support', '--json']),
      ).key;
      const found = await t.admin('GET', '/admin/users?username=user_good', undefined, key);
      expect(found.status).toBe(200);
      expect(found.body.users[0].username).toBe('user_good');
      expectEnvelope(await t.admin('POST', '/admin/clients', { name: 'x' }, key), 403, 'FORBIDDEN');
      expectRefused(
        await run(['staff:create', '--name', 'x', '--role', 'root']),
        2,
        /^error: option '--role <role>' argument 'root' is invalid. must be one of admin, support, resource-server/,
      );
    });

    it('users:create with --password-stdin makes a user who can log in; users:show shows them by id and by name', async () => {
      const created = json(
        await run(['users:create', '--username', 'carol', '--password-stdin', '--phone', '+14155550199', '--json'], {
          input: 'carol: a long passphrase\n',
        }),
      );
      expect(created).toMatchObject({ username: 'carol', institution_id: 'default', factors: { totp: false } });
      expect(created.factors.otp.map((m: { type: string }) => m.type)).toEqual(['sms', 'voice']);
      expect(created).not.toHaveProperty('totp_uri');

      expect(json(await run(['users:show', '--user-id', created.user_id, '--json']))).toEqual(created);

      const login = await t.login('carol', 'carol: a long passphrase');
      expect(login.status).toBe(202);
      expect(login.body.user_id).toBe(created.user_id);
      // The one newline that ended the input is not part of the password.
      expect((await t.login('carol', 'carol: a long passphrase\n')).status).toBe(401);

      const shown = await run(['users:show', '--username', 'carol']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(created.user_id);
      expect(shown.stdout).not.toContain('4155550199');
      // Where the user comes from (a shadow user of http or ldap shows its reference there).
      expect(shown.stdout).toMatch(/^source:\s+local$/m);
      expect(created.source).toEqual({ kind: 'local', reference: null });
    });

    it('users:create --totp prints the otpauth URI once, and a code from it completes the login', async () => {
      const text = await run([
        'users:create',
        '--username',
        'tom',
        '--password',
        PASSWORD,
        '--totp',
        '--kba',
        'Favourite colour?=Teal',
      ]);
      expect(text.code).toBe(0);
      const uri = text.stdout.match(/otpauth:\/\/totp\/\S+/)?.[0];
      expect(uri).toBeDefined();
      const secret = new URL(uri!).searchParams.get('secret')!;

      const shown = await run(['users:show', '--username', 'tom']);
      expect(shown.stdout).not.toContain('otpauth://');
      expect(shown.stdout).not.toContain(secret);
      expect(shown.stdout).toContain('Favourite colour?');

      const a = await t.login('tom');
      expect(a.body.challenge?.type).toBe('totp');
      expect(
        (await t.twoFactor(a.body.user_id, { challenge_id: a.body.challenge.id, passcode: totpAt(secret) })).status,
      ).toBe(200);

      const withJson = json(
        await run(['users:create', '--username', 'tess', '--password', PASSWORD, '--totp', '--json']),
      );
      expect(withJson.totp_uri).toMatch(/^otpauth:\/\/totp\//);
      expect(withJson.totp_qr).toMatch(/^data:image\/png;base64,/);
    });

    it('users:create refuses what POST /admin/users refuses, naming the flags, and creates nothing', async () => {
      const r = await run([
        'users:create',
        '--username',
        'nina',
        '--password',
        PASSWORD,
        '--phone',
        '4155550123',
        '--email',
        'not-an-address',
        '--mfa-preference',
        'sms',
      ]);
      expectRefused(r, 1, /^error: INVALID_REQUEST: /);
      expect(r.stderr).toMatch(/--phone: must be an E\.164 number/);
      expect(r.stderr).toMatch(/--email: must be an email address/);
      expect(r.stderr).toMatch(/--mfa-preference/);
      expectRefused(await run(['users:show', '--username', 'nina']), 1, /^error: NOT_FOUND: No such user\.\n$/);

      expectRefused(
        await run(['users:create', '--username', 'nina', '--password', PASSWORD, '--kba', 'no equals sign']),
        1,
        /--kba #1: must be "Question\?=Answer"/,
      );
      expectRefused(
        await run(['users:create', '--username', 'user_good', '--password', PASSWORD]),
        1,
        /^error: CONFLICT: /,
      );
    });

    it('users:unlock unlocks a user locked by five wrong passwords', async () => {
      json(await run(['users:create', '--username', 'dave', '--password', PASSWORD, '--json']));
      for (let i = 0; i < 5; i++) expect((await t.login('dave', 'wrong password')).status).toBe(401);
      expectEnvelope(await t.login('dave'), 403, 'ACCOUNT_LOCKED');
      expect(json(await run(['users:show', '--username', 'dave', '--json'])).lock.locked).toBe(true);

      const unlocked = await run(['users:unlock', '--username', 'dave']);
      expect(unlocked.code).toBe(0);
      expect(unlocked.stdout).toMatch(/not locked/);
      expect((await t.login('dave')).status).toBe(200);
      expectRefused(await run(['users:unlock', '--user-id', 'no-such-user']), 1, /^error: NOT_FOUND: /);
    });

    it('users:rename gives a user a new name that logs in with the same password; the user_id stays', async () => {
      const created = json(await run(['users:create', '--username', 'erin', '--password', PASSWORD, '--json']));
      const renamed = await run(['users:rename', '--username', 'erin', '--to', ' Erin.Smith ', '--reason', 'married']);
      expect(renamed.code).toBe(0);
      expect(renamed.stdout).toMatch(/^Renamed\.\n/);
      expect(renamed.stdout).toContain('Erin.Smith');
      const a = await t.login('erin.smith');
      expect({ status: a.status, user_id: a.body.user_id }).toEqual({ status: 200, user_id: created.user_id });
      expectEnvelope(await t.login('erin'), 401, 'INVALID_CREDENTIALS');
      json(await run(['users:create', '--username', 'frank', '--password', PASSWORD, '--json']));
      expectRefused(await run(['users:rename', '--username', 'frank', '--to', 'ERIN.SMITH']), 1, /^error: CONFLICT: /);
      expectRefused(
        await run(['users:rename', '--username', 'frank', '--to', 'two words']),
        1,
        /^error: INVALID_REQUEST: username: /,
      );
      expect((await t.login('frank')).status).toBe(200);
    });

    it('users:show and users:unlock by name ask for --institution-id when the name is in two institutions', async () => {
      for (const inst of ['bank-a', 'bank-b'])
        json(
          await run(['users:create', '--username', 'erin', '--password', PASSWORD, '--institution-id', inst, '--json']),
        );
      expectRefused(await run(['users:show', '--username', 'erin']), 1, /^error: CONFLICT: .*--institution-id/);
      expect(
        json(await run(['users:show', '--username', 'erin', '--institution-id', 'bank-b', '--json'])).institution_id,
      ).toBe('bank-b');
    });

    it('outbox:list shows the passcode that was sent, and that passcode completes the login', async () => {
      const { userId, challengeId, method } = await t.otpChallenge('user_otp', 'sms');
      expect((await t.sendOtp(userId, challengeId, method.id)).status).toBe(200);

      const listed = json(await run(['outbox:list', '--to', '+14155550123', '--json']));
      expect(listed.messages[0]).toMatchObject({ channel: 'sms', to: '+14155550123' });
      const code = listed.messages[0].body.match(/\b\d{6}\b/)?.[0];
      expect(code).toBe(await t.outboxCode('+14155550123'));
      expect((await run(['outbox:list'])).stdout).toContain(`+14155550123  ${listed.messages[0].body}`);
      expect(json(await run(['outbox:list', '--to', '+19999999999', '--json']))).toEqual({ messages: [] });

      expect((await t.twoFactor(userId, { challenge_id: challengeId, passcode: code })).status).toBe(200);
    });

    it('--version is the version GET /healthz reports', async () => {
      const health = await t.admin('GET', '/healthz');
      expect(health.body.version).toBe(PACKAGE.version);
      expect((await run(['--version'])).stdout).toBe(`${health.body.version}\n`);
    });

    it('--help prints the usage of the CLI and of every command; a command line that cannot run exits 2', async () => {
      const help = await run(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run cli -- <command>/);
      const commands = [
        'clients:create',
        'clients:rotate',
        'clients:retire',
        'staff:create',
        'staff:revoke',
        'users:create',
        'users:import',
        'users:show',
        'users:unlock',
        'users:lock',
        'users:rename',
        'outbox:list',
        'events:list',
        'db:migrate',
        'clients:list',
        'staff:list',
        'users:reset-password',
        'users:reset-factor',
        'maintenance:on',
        'maintenance:off',
        'maintenance:status',
        'db:status',
        'keys:reencrypt',
      ];
      // Four asked for at once, as an operator's script might.
      const helps = await inParallel(commands, 4, (command) => run([command, '--help']));
      commands.forEach((command, i) => {
        expect(help.stdout).toContain(`  ${command} `);
        const own = helps[i];
        expect({ command, code: own.code, stderr: own.stderr }).toEqual({ command, code: 0, stderr: '' });
        expect(own.stdout).toMatch(new RegExp(`^Usage: npm run cli -- ${command} `));
        expect(own.stdout).toContain('--json');
      });
      const usage: [string[], RegExp][] = [
        [[], /^error: no command given \(see npm run cli -- --help\)/],
        [['users:delete'], /^error: unknown command 'users:delete'/],
        [
          ['users:show', '--user-id'],
          /^error: option '--user-id <id>' argument missing \(see npm run cli -- users:show --help\)/,
        ],
        [['users:show', '--user-id', 'x', '--to', 'y'], /^error: unknown option '--to'/],
        [['clients:create'], /^error: required option '--name <name>' not specified/],
        [['users:create', '--username', 'x'], /^error: users:create needs one of --password and --password-stdin/],
        [['users:show', '--bogus'], /^error: unknown option '--bogus'/],
        [['users:show'], /^error: users:show needs one of --user-id and --username/],
        [
          ['staff:create', '--name', 'x', '--role', 'root'],
          /^error: option '--role <role>' argument 'root' is invalid/,
        ],
        [['users:import'], /^error: missing required argument 'file'/],
      ];
      const refused = await inParallel(usage, 4, ([args]) => run(args));
      usage.forEach(([, pattern], i) => expectRefused(refused[i], 2, pattern));
    }, 180_000);

    it('a bad setting is refused naming the variable, as the service does', async () => {
      expectRefused(await run(['outbox:list'], { env: { LOCKOUT_MODE: 'sometimes' } }), 1, /LOCKOUT_MODE/);
      expectRefused(await run(['outbox:list'], { env: { NODE_ENV: 'production' } }), 1, /ENCRYPTION_KEY/);
    });
  });

  // An operator's terminal (and its scrollback, a CI log) never shows a secret setting. Last in the
  // file: the retry on an unreachable database, started with the suite, has waited through the rest.
  describe('prints no secret when it cannot run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxauth-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('on a bad ENCRYPTION_KEY, or a typo in a boolean: names the variable, without the key', async () => {
      const key = 'not-a-key-but-s3cret';
      const bad = await cli(`sqlite:${join(dir, 'db.sqlite')}`, ['outbox:list'], { env: { ENCRYPTION_KEY: key } });
      expectRefused(bad, 1, /ENCRYPTION_KEY \(value hidden\): ENCRYPTION_KEY must be 32 bytes/);
      expect(bad.stderr).not.toContain(key);
      const typo = await cli(`sqlite:${join(dir, 'db.sqlite')}`, ['outbox:list'], { env: { SANDBOX: 'ture' } });
      expectRefused(typo, 1, /SANDBOX="ture": SANDBOX must be true, false, 1, 0, yes or no/);
    });

    it('on an unreachable PostgreSQL: a note at each bounded retry, then SERVICE_UNAVAILABLE, without the password', async () => {
      const r = await unreachable;
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
      const lines = r.stderr.trimEnd().split('\n');
      // Never a silent wait: one line per try, saying why and how many are left.
      expect(lines.slice(0, -1)).toEqual(
        Array.from({ length: 10 }, (_, i) =>
          expect.stringMatching(
            new RegExp(
              `^note: the database is unreachable \\(.*ECONNREFUSED.*\\); try ${i + 1} of 10, ${i < 9 ? 'next in 2s' : 'giving up'}$`,
            ),
          ),
        ),
      );
      expect(lines[lines.length - 1]).toMatch(
        /^error: SERVICE_UNAVAILABLE: the database could not be used: .*ECONNREFUSED/,
      );
      expect(r.stderr).not.toContain('s3cretpw');
    }, 65_000);
  });
});
