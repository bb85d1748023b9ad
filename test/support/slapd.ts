import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { makePki } from './certs';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SUFFIX = 'dc=bank,dc=example';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
const ADMIN_PW = 'directory-admin-pw';

/**
 * A real OpenLDAP (Debian's slapd) on a free loopback port, with a throwaway slapd.conf and a
 * back_mdb database in a temporary folder, entries loaded with ldapadd. It logs every operation
 * (loglevel stats) so a test can see which binds and searches pxauth made. `stop()` takes it away;
 * `start()` brings it back on the same port with the same entries. With `tls`, a CA and a server
 * certificate for 127.0.0.1 are made with openssl, for StartTLS.
 */
export class Slapd {
  readonly dir = mkdtempSync(join(tmpdir(), 'pxauth-slapd-'));
  port = 0;
  /** With `tls`: a second listener speaking ldaps:// (TLS from the first byte). */
  ldapsPort = 0;
  private proc?: ChildProcess;
  private logText = '';
  caFile?: string;
  private serverCert?: string;
  private serverKey?: string;

  constructor(private readonly tls = false) {}

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      if (this.tls) this.ldapsPort = await freePort();
      mkdirSync(join(this.dir, 'db'));
      if (this.tls) this.makeCertificates();
      writeFileSync(join(this.dir, 'slapd.conf'), this.conf());
    }
    const listeners = this.tls ? `${this.url}/ ${this.ldapsUrl}/` : `${this.url}/`;
    this.proc = spawn('slapd', ['-f', join(this.dir, 'slapd.conf'), '-h', listeners, '-d', '256'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr!.on('data', (c: Buffer) => (this.logText += c.toString('utf8')));
    await waitForPort(
      this.port,
      () => this.proc?.exitCode ?? null,
      () => this.logText,
    );
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  /**
   * The directory hangs: the process is stopped, so connections are accepted and nothing is answered.
   * SIGSTOP stops a process's threads as each is next scheduled, not when kill() returns: on a loaded
   * machine a thread could still answer a request sent at once, so this waits until every thread's
   * state in /proc is T (stopped).
   */
  async pause(): Promise<void> {
    const pid = this.proc?.pid;
    if (!pid) throw new Error('slapd is not running');
    this.proc!.kill('SIGSTOP');
    const stopped = () =>
      readdirSync(`/proc/${pid}/task`).every((tid) =>
        /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')),
      );
    const deadline = Date.now() + 5_000;
    while (!stopped()) {
      if (Date.now() > deadline) throw new Error('slapd did not stop within 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  add(ldif: string): void {
    execFileSync('ldapadd', ['-x', '-H', this.url, '-D', ADMIN_DN, '-w', ADMIN_PW], { input: ldif, stdio: 'pipe' });
  }

  modify(ldif: string): void {
    execFileSync('ldapmodify', ['-x', '-H', this.url, '-D', ADMIN_DN, '-w', ADMIN_PW], { input: ldif, stdio: 'pipe' });
  }

  /** Where the log is now: `operationsSince(mark)` reads what came after. */
  mark(): number {
    return this.logText.length;
  }

  /** The BIND and SRCH requests logged since `mark`, as `BIND <dn>` and `SRCH <base> <filter>`. */
  operationsSince(mark: number): string[] {
    const op =
      /op=\d+ (?:(BIND dn="[^"]*") method=|(SRCH base="[^"]*" scope=\d+ deref=\d+ filter="[^"]*")|(STARTTLS))/g;
    return [...this.logText.slice(mark).matchAll(op)].map((m) => m[1] ?? m[2] ?? m[3]);
  }

  log(): string {
    return this.logText;
  }

  private conf(): string {
    const tls = this.tls
      ? [`TLSCACertificateFile ${this.caFile}`, `TLSCertificateFile ${this.serverCert}`]
          .concat(`TLSCertificateKeyFile ${this.serverKey}`, '')
          .join('\n')
      : '';
    return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
# For the pwdAccountLockedTime attribute (the overlay itself is not enabled: the lock is pxauth's filter).
moduleload ppolicy
pidfile ${join(this.dir, 'slapd.pid')}
${tls}
database mdb
suffix "${SUFFIX}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PW}
directory ${join(this.dir, 'db')}
maxsize 10485760
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
`;
  }

  private makeCertificates(): void {
    const pki = makePki(this.dir);
    this.caFile = pki.ca;
    this.serverCert = pki.serverCert;
    this.serverKey = pki.serverKey;
  }
}

/** Established TCP connections from this process's side to `port` on loopback (from /proc/net/tcp). */
export function connectionsTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[2].endsWith(`:${hex}`) && f[3] === '01').length;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, exitCode: () => number | null, log: () => string): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    // Ours, not another suite's listener on the same port: slapd says it started once it listens.
    if (ok && log().includes('slapd starting')) return;
    if (exitCode() !== null || Date.now() > end) throw new Error(`slapd did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
