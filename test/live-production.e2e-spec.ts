import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSmtp } from './support/fake-smtp';
import { FakeTwilio } from './support/fake-twilio';
import { freePort } from './support/replica';

/**
 * A bank going to production: `node dist/main.js` with NODE_ENV=production and
 * OTP_DELIVERY=live, Twilio and SMTP pointed at local servers, seen only from outside: a user made by
 * the CLI logs in, gets a passcode by SMS and by email from the fake providers, and completes 2fa.
 */
const ROOT = join(__dirname, '..');
const SID = `AC${'0a1b2c3d4e5f6789'.repeat(2)}`;
const TOKEN = 'prod-twilio-token';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], env: Record<string, string>, input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('production with live delivery, as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-live-'));
  let twilio: FakeTwilio;
  let smtp: FakeSmtp;
  let env: Record<string, string>;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npx nest build`');
    twilio = await FakeTwilio.start();
    smtp = await FakeSmtp.start({ starttls: false });
    env = {
      NODE_ENV: 'production',
      ENCRYPTION_KEY: 'c0ffee'.repeat(10) + 'c0ff',
      DATABASE_URL: `sqlite:${join(dir, 'pxauth.sqlite')}`,
      OTP_DELIVERY: 'live',
      INSTITUTION_NAME: 'Production Test Bank',
      TWILIO_API_URL: twilio.url,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM: '+14155550100',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'no-reply@bank.example',
      PURGE_INTERVAL: '0',
    };
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await twilio?.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with half of a channel, naming what is missing and printing no secret', async () => {
    const r = await run('dist/main.js', [], { ...env, TWILIO_FROM: '', SMTP_URL: '' });
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: required for Twilio/);
    expect(r.stderr + r.stdout).toMatch(/SMTP_URL: required for email/);
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
  });

  it('walks a CLI-created user from 202 to a passcode by SMS and by email, to 200', async () => {
    const cli = (args: string[], input?: string) => run('dist/cli/main.js', [...args, '--json'], env, input);
    const client = await cli(['clients:create', '--name', 'Plaid']);
    expect(client.stderr).toBe('');
    const { client_id, client_secret } = JSON.parse(client.stdout) as { client_id: string; client_secret: string };
    const user = await cli(
      [
        'users:create',
        '--username',
        'alice',
        '--password-stdin',
        '--phone',
        '+1 415 555 0166',
        '--email',
        'alice@example.com',
      ],
      'correct horse battery',
    );
    expect(user.stderr).toBe('');

    const [port, adminPort] = [await freePort(), await freePort()];
    server = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      if (server.exitCode !== null) throw new Error(`exited ${server.exitCode}: ${output.slice(-2000)}`);
      const ok = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const plaid = async (path: string, form: Record<string, string>) => {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'X-PLAID-CLIENT-ID': client_id,
          'X-PLAID-SECRET': client_secret,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(form).toString(),
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    };
    const login = () => plaid('/users/auth_token', { username: 'alice', password: 'correct horse battery' });

    // No sandbox in production: its client is not there.
    expect(
      (
        await fetch(`${base}/users/auth_token`, {
          method: 'POST',
          headers: { 'X-PLAID-CLIENT-ID': 'sandbox-client', 'X-PLAID-SECRET': 'sandbox-secret' },
        })
      ).status,
    ).toBe(401);

    const a = await login();
    expect(a.status).toBe(202);
    const methods = a.body.challenge.send_methods as { id: string; type: string; mask: string }[];
    expect(methods.map((m) => `${m.type} ${m.mask}`)).toEqual([
      'sms (***) ***-0166',
      'voice (***) ***-0166',
      'email a****@e****.com',
    ]);
    const sms = methods.find((m) => m.type === 'sms')!;
    expect(
      (await plaid(`/users/${a.body.user_id}/sendOtp`, { challenge_id: a.body.challenge.id, send_method_id: sms.id }))
        .status,
    ).toBe(200);
    expect(twilio.last.form.To).toBe('+14155550166');
    const smsCode = /\b\d{6}\b/.exec(twilio.last.form.Body)![0];
    const done = await plaid(`/users/${a.body.user_id}/2fa`, { challenge_id: a.body.challenge.id, passcode: smsCode });
    expect(done.status).toBe(200);
    expect(done.body.user_id).toBe(a.body.user_id);
    expect(done.body.auth_token).toMatch(/^[\w-]{43}$/);

    const b = await login();
    const email = (b.body.challenge.send_methods as { id: string; type: string }[]).find((m) => m.type === 'email')!;
    expect(
      (await plaid(`/users/${b.body.user_id}/sendOtp`, { challenge_id: b.body.challenge.id, send_method_id: email.id }))
        .status,
    ).toBe(200);
    expect(smtp.last.to).toEqual(['alice@example.com']);
    const mailCode = /\b\d{6}\b/.exec(smtp.last.text)![0];
    expect(
      (await plaid(`/users/${b.body.user_id}/2fa`, { challenge_id: b.body.challenge.id, passcode: mailCode })).status,
    ).toBe(200);

    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain('4155550166');
    expect(output).not.toContain('alice@example.com');
  });
});
