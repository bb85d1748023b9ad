import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * A free loopback port for a child process to listen on. It is drawn below the kernel's ephemeral
 * range (ip_local_port_range), where the outgoing connections of the other suites running beside
 * this one are never given a port, and checked by binding it once; a child that still finds it
 * taken (another suite drew the same port in between) is started again on new ports.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (await canBind(port)) return port;
  }
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The replica could not listen: another suite took its port between the check and the start. */
class PortTaken extends Error {}

/** One pxauth process, as an operator runs it (`node dist/main.js`, built by `npm test`'s pretest). */
export class Replica {
  output = '';
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    readonly admin: string,
  ) {
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
  }

  static async start(env: Record<string, string>): Promise<Replica> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Replica.startOnce(env);
      } catch (e) {
        if (attempt === 3 || !(e instanceof PortTaken)) throw e;
      }
    }
  }

  private static async startOnce(env: Record<string, string>): Promise<Replica> {
    const [port, adminPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = new Replica(child, `http://127.0.0.1:${port}`, `http://127.0.0.1:${adminPort}`);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        const why = `replica exited ${child.exitCode}: ${r.output.slice(-2000)}`;
        throw r.output.includes('EADDRINUSE') ? new PortTaken(why) : new Error(why);
      }
      try {
        if ((await fetch(`${r.base}/readyz`)).status === 200) return r;
      } catch {
        /* not listening yet */
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    r.kill('SIGKILL');
    throw new Error(`replica not ready: ${r.output.slice(-2000)}`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((res) => this.child.once('exit', res));
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface Answer {
  status: number;
  body: any;
}

/** A Plaid call to one replica, form-encoded with the sandbox client's credentials. */
export async function plaidCall(base: string, path: string, form: Record<string, string>): Promise<Answer> {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-PLAID-CLIENT-ID': 'sandbox-client',
      'X-PLAID-SECRET': 'sandbox-secret',
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** A staff call to one replica's internal listener, with the sandbox admin key. */
export async function adminCall(admin: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const r = await fetch(admin + path, {
    method,
    headers: { Authorization: 'Bearer sandbox-admin-key', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
