import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { KEYS, PASSWORD, TEST_ENGINE, TestApp, expectEnvelope, totpAt } from './support/harness';
import { CLI, ROOT, cli, cliProcess, expectRefused, json, requireBuiltCli } from './support/cli';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A shell line run by `sh -c` with the settings of a test run, as an operator types it; `answer(out)`
 * says what to type next (on stdin) once the output so far asks for it, or undefined to wait.
 */
function shell(
  line: string,
  databaseUrl: string,
  answer: (out: string) => string | undefined = () => undefined,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl },
    });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const read = (d: Buffer) => {
      out += String(d);
      const next = answer(out);
      if (next !== undefined) child.stdin.write(next);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * The commands that make the CLI a tool of its own (docs/cli.md): maintenance mode, the listings,
 * the password and factor resets, db:status; run as an operator runs them (in the suite's CLI host,
 * test/support/cli.ts), on the database of a running service, and checked through the service's HTTP API.
 */
describe(`cli commands (${TEST_ENGINE})`, () => {
  let t: TestApp;
  const run = (args: string[], input?: string) => cli(t.databaseUrl, args, { input });
  const introspect = async (token: string) =>
    (await t.admin('POST', '/tokens/introspect', { token }, KEYS.rs)).body.active as boolean;

  beforeAll(async () => {
    requireBuiltCli();
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('maintenance:on closes Plaid calls with 503 on the running service; status shows it; off opens them', async () => {
    const on = json(
      await run(['maintenance:on', '--retry-at', '2099-01-01T00:00:00Z', '--message', 'Upgrade', '--json']),
    );
    expect(on).toEqual({ enabled: true, retry_at: '2099-01-01T00:00:00.000Z', message: 'Upgrade' });
    const closed = await t.login('user_good');
    expectEnvelope(closed, 503, 'SERVICE_UNAVAILABLE');
    expect(closed.body.error).toMatchObject({ message: 'Upgrade', retry_at: '2099-01-01T00:00:00.000Z' });
    expect(json(await run(['maintenance:status', '--json']))).toEqual(on);
    expect((await t.admin('GET', '/admin/maintenance')).body).toEqual(on);
    expect((await run(['maintenance:status'])).stdout).toMatch(/^Maintenance is on: .*2099-01-01T00:00:00\.000Z/);

    // Refused before anything is written: maintenance stays as it was.
    expectRefused(await run(['maintenance:on', '--retry-at', 'tomorrow']), 1, /^error: INVALID_REQUEST: --retry-at: /);
    expectRefused(await run(['maintenance:on', '--message', 'x'.repeat(201)]), 1, /--message: /);
    expect(json(await run(['maintenance:status', '--json']))).toEqual(on);

    expect(json(await run(['maintenance:off', '--json']))).toEqual({ enabled: false, retry_at: null, message: null });
    expect((await t.login('user_good')).status).toBe(200);

    const events = json(await run(['events:list', '--type', 'admin_call', '--json'])).events as {
      staff_id: string | null;
      detail: { actor?: string; command?: string };
    }[];
    const ours = events.filter((e) => e.detail.actor === 'cli').map((e) => [e.detail.command, e.staff_id]);
    expect(ours).toEqual([
      ['maintenance:off', null],
      ['maintenance:on', null],
    ]);
  });

  it('staff:list lists the keys without a key or its digest; a revoked key only with --all', async () => {
    const issued = json(await run(['staff:create', '--name', 'Pat at the desk', '--role', 'support', '--json']));
    const listed = await run(['staff:list', '--json']);
    const keys = json(listed).keys as { id: string }[];
    expect(keys.find((k) => k.id === issued.id)).toEqual({
      id: issued.id,
      name: 'Pat at the desk',
      role: 'support',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      revoked_at: null,
    });
    const text = await run(['staff:list']);
    expect(text.stdout).toMatch(new RegExp(`^${issued.id} {2}support +\\S+ {2}active {2}Pat at the desk$`, 'm'));
    for (const out of [listed.stdout, text.stdout]) {
      expect(out).not.toContain(issued.key);
      expect(out).not.toContain(sha256(issued.key));
    }

    json(await run(['staff:revoke', '--id', issued.id, '--json']));
    expect((json(await run(['staff:list', '--json'])).keys as { id: string }[]).map((k) => k.id)).not.toContain(
      issued.id,
    );
    const all = json(await run(['staff:list', '--all', '--json'])).keys as { id: string; revoked_at: string }[];
    expect(all.find((k) => k.id === issued.id)?.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('clients:list shows each client, its active slots and redirect URIs, never a secret or its digest', async () => {
    const created = json(await run(['clients:create', '--name', 'Plaid listing', '--json']));
    const rotated = json(await run(['clients:rotate', '--client-id', created.client_id, '--json']));
    json(await run(['clients:retire', '--client-id', created.client_id, '--slot', '1', '--json']));

    const listed = await run(['clients:list', '--json']);
    const clients = json(listed).clients as { client_id: string }[];
    expect(clients.find((c) => c.client_id === created.client_id)).toEqual({
      client_id: created.client_id,
      name: 'Plaid listing',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      secrets: [{ slot: 2, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }],
      redirect_uris: ['https://cdn.plaid.com/link/v2/stable/oauth.html'],
    });
    expect(clients.map((c) => c.client_id)).toContain('sandbox-client');
    const text = await run(['clients:list']);
    expect(text.stdout).toContain(`${created.client_id}  Plaid listing  (created `);
    expect(text.stdout).toMatch(/^ {2}secret 2: active since \S+$/m);
    for (const out of [listed.stdout, text.stdout])
      for (const secret of [created.client_secret, rotated.client_secret, 'sandbox-secret']) {
        expect(out).not.toContain(secret);
        expect(out).not.toContain(sha256(secret));
      }
  });

  it('users:reset-password from stdin: the old password is refused, the new accepted, old tokens inactive', async () => {
    const user = await t.createUser('cli_pw', {}, PASSWORD);
    const before = await t.login(user.username);
    expect(before.status).toBe(200);
    expect(await introspect(before.body.auth_token)).toBe(true);

    // A process of its own: the password arrives on a real pipe, as from `printf ... |`.
    const r = await cliProcess(
      t.databaseUrl,
      ['users:reset-password', '--username', user.username, '--reason', 'called in', '--json'],
      { input: 'a new long passphrase\n' },
    );
    const reset = json(r);
    expect(reset).toMatchObject({ user_id: user.userId, tokens_revoked: 1 });
    expect(r.stdout).not.toContain('a new long passphrase');

    expectEnvelope(await t.login(user.username), 401, 'INVALID_CREDENTIALS');
    expect((await t.login(user.username, 'a new long passphrase\n')).status).toBe(401);
    const after = await t.login(user.username, 'a new long passphrase');
    expect(after.status).toBe(200);
    expect(after.body.user_id).toBe(user.userId);
    expect(await introspect(before.body.auth_token)).toBe(false);
    expect(await introspect(after.body.auth_token)).toBe(true);

    const changed = (await t.events(user.userId)).find((e) => e.type === 'password_change');
    expect(changed).toMatchObject({ outcome: 'changed', staff_id: null, detail: { reason: 'called in' } });
  });

  it('users:reset-password at a terminal asks twice without echoing what is typed (util-linux script gives it one)', async () => {
    const user = await t.createUser('cli_pw_tty', {}, PASSWORD);
    const command = [process.execPath, CLI, 'users:reset-password', '--user-id', user.userId]
      .map((a) => `'${a}'`)
      .join(' ');
    let typed = 0;
    const r = await shell(`script -qec "${command}" /dev/null`, t.databaseUrl, (out) => {
      const asked = (out.match(/New password: |Again: /g) ?? []).length;
      if (asked <= typed) return undefined;
      typed++;
      return 'typed at the terminal 1\r';
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/New password: [\s\S]*Again: [\s\S]*Password set; 0 token\(s\) revoked\./);
    expect(r.out).not.toContain('typed at the terminal');
    expect((await t.login(user.username, 'typed at the terminal 1')).status).toBe(200);
  });

  it('a large --json answer piped into jq arrives whole: the process exits only once it is written', async () => {
    for (let i = 0; i < 40; i++)
      json(await run(['staff:create', '--name', `Piped ${i} ${'x'.repeat(100)}`, '--role', 'support', '--json']));
    const listed = json(await run(['staff:list', '--json'])).keys as unknown[];
    const r = await shell(`'${process.execPath}' '${CLI}' staff:list --json | jq '.keys | length'`, t.databaseUrl);
    expect(r).toEqual({ code: 0, out: `${listed.length}\n` });
  });

  it('users:reset-password refuses an empty password, an unknown user and a password on argv, changing nothing', async () => {
    const user = await t.createUser('cli_pw_bad', {}, PASSWORD);
    expectRefused(
      await run(['users:reset-password', '--user-id', user.userId], '\n'),
      1,
      /^error: INVALID_REQUEST: the new password: /,
    );
    expectRefused(
      await run(['users:reset-password', '--user-id', 'no-such-user'], 'whatever1'),
      1,
      /^error: NOT_FOUND: /,
    );
    expectRefused(
      await run(['users:reset-password', '--user-id', user.userId, '--password', 'on-argv-1'], ''),
      2,
      /^error: unknown option '--password'/,
    );
    expectRefused(await run(['users:reset-password'], 'x'), 2, /needs one of --user-id and --username/);
    expect((await t.login(user.username)).status).toBe(200);
    expect((await t.events(user.userId)).map((e) => e.type)).not.toContain('password_change');
  });

  it('users:reset-factor removes TOTP: an open challenge ends, the next login needs no code', async () => {
    const user = await t.createUser('cli_factor', { totp: true, email: 'factor@example.com' });
    const open = await t.login(user.username, user.password);
    expect(open.body.challenge?.type).toBe('totp');

    const reset = json(
      await run(['users:reset-factor', '--user-id', user.userId, '--factor', 'totp', '--factor', 'email', '--json']),
    );
    expect(reset.factors).toMatchObject({ totp: false, otp: [] });
    const late = await t.twoFactor(user.userId, {
      challenge_id: open.body.challenge.id,
      passcode: totpAt(user.secret!),
    });
    expect(late.status).toBe(400);
    expect(late.body.error.id).toMatch(/^CHALLENGE_/);
    expect((await t.login(user.username, user.password)).status).toBe(200);

    const changed = (await t.events(user.userId)).find((e) => e.type === 'factors_change');
    expect(changed).toMatchObject({ outcome: 'reset', staff_id: null, detail: { fields: ['totp', 'email'] } });
  });

  it('users:reset-factor refuses an unknown factor and an unknown user, changing nothing', async () => {
    const user = await t.createUser('cli_factor_bad', { totp: true });
    expectRefused(
      await run(['users:reset-factor', '--user-id', user.userId, '--factor', 'totp', '--factor', 'sms']),
      2,
      /^error: option '--factor <factor>' argument 'sms' is invalid\. must be one of totp, kba, phone, email/,
    );
    expectRefused(await run(['users:reset-factor', '--user-id', user.userId]), 2, /required option '--factor/);
    expectRefused(
      await run(['users:reset-factor', '--user-id', 'no-such-user', '--factor', 'kba']),
      1,
      /^error: NOT_FOUND: /,
    );
    expect(json(await run(['users:show', '--user-id', user.userId, '--json'])).factors.totp).toBe(true);
  });

  it('db:status on the migrated database: the engine, every migration applied, exit 0', async () => {
    const status = json(await run(['db:status', '--json']));
    expect(status).toMatchObject({ engine: TEST_ENGINE, pending: [], up_to_date: true });
    expect(status.applied.length).toBeGreaterThan(0);
  });
});
