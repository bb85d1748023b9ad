import { ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * `npm run cli -- <command>` as an operator runs it: the built dist/cli (which `npm test` builds
 * first), with DATABASE_URL and the other settings in its environment. `cli()` runs the command line
 * in the suite's CLI host (test/support/cli-host.js: one process per suite that runs the built
 * dist/cli/run.js, the function dist/cli/main.js runs, once per command, with the command's own
 * environment and streams); `cliProcess()` runs dist/cli/main.js in a child process of its own, for
 * what only a process shows (the exit code as the shell sees it, a real pipe, a retry that waits).
 */
export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const HOST = join(__dirname, 'cli-host.js');
export const STACK = /\n\s+at .+\(?.+:\d+:\d+\)?/;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx nest build\` first (npm test does)`);
}

/** The environment a command line adds to the suite's own: the settings of a test run, then the command's. */
const settings = (databaseUrl: string, opts: CliOptions) => ({
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  ...opts.env,
});

/** dist/cli/main.js in a child process of its own, its stdin the input and then closed. */
export function cliProcess(databaseUrl: string, args: string[], opts: CliOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...settings(databaseUrl, opts) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

interface Host {
  child: ChildProcess;
  ready: Promise<void>;
  waiting: Map<number, (r: Ran) => void>;
}
let host: Host | undefined;
let nextId = 0;

/** The suite's CLI host, started on its first command line (and again if a command outlived its timeout). */
function cliHost(): Host {
  if (host) return host;
  requireBuiltCli();
  const child = fork(HOST, [], {
    cwd: ROOT,
    env: process.env,
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (r: Ran) => void>();
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the CLI host exited (${code}) before it was ready`)));
    child.once('message', () => resolve());
  });
  child.on('message', (m: Ran & { id?: number }) => {
    if (m.id === undefined) return;
    waiting.get(m.id)?.({ code: m.code, stdout: m.stdout, stderr: m.stderr });
    waiting.delete(m.id);
  });
  const started: Host = { child, ready, waiting };
  // A host that dies takes its commands with it: each ends as a killed process would, with no exit code.
  child.on('exit', () => {
    for (const done of waiting.values()) done({ code: null, stdout: '', stderr: '' });
    waiting.clear();
    if (host === started) host = undefined;
  });
  host = started;
  return started;
}

afterAll(() => {
  host?.child.kill();
  host = undefined;
});

/**
 * One command line as `npm run cli -- <args>` runs it, in the suite's CLI host: its exit code, stdout and
 * stderr, `input` on its stdin. One at a time, in the order they are asked for; past `timeoutMs` the
 * host is killed (a new one takes the next command) and the command ends with no exit code.
 */
export function cli(databaseUrl: string, args: string[], opts: CliOptions = {}): Promise<Ran> {
  const turn = queue.then(() => inHost(args, settings(databaseUrl, opts), opts));
  queue = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}
let queue: Promise<void> = Promise.resolve();

async function inHost(args: string[], env: Record<string, string>, opts: CliOptions): Promise<Ran> {
  const h = cliHost();
  await h.ready;
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => h.child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    h.waiting.set(id, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
    h.child.send({ id, argv: args, env, input: opts.input ?? '' });
  });
}

/** The JSON a command printed, once it exited 0 with nothing on stderr. */
export const json = (r: Ran) => {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
};

/** A refusal as an operator should see it: one `error:` line naming the problem, no stack, nothing on stdout. */
export function expectRefused(r: Ran, code: number, pattern: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
  expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(STACK);
}

/** `fn` over `items`, at most `limit` at once, results in order. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The bin as a shell runs it: the interpreter its `#!` line names (`/usr/bin/env node`, with this
 * Node first on the PATH), without npm in between, so stdout is the command's alone.
 */
export function runBin(bin: string, args: string[], env: Record<string, string>): Promise<Ran> {
  const shebang = /^#!(\S+)(.*)\n/.exec(readFileSync(bin, 'utf8'));
  if (!shebang) throw new Error(`${bin} has no #! line`);
  const [interpreter, ...flags] = [shebang[1], ...shebang[2].trim().split(/\s+/).filter(Boolean)];
  return new Promise((resolve) => {
    execFile(
      interpreter,
      [...flags, bin, ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
          NODE_ENV: 'test',
          ...env,
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}
