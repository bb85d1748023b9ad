import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * `npm run cli -- <command>` as an operator runs it: the built dist/cli/main.js (which `npm test`
 * builds first) in a child process, with DATABASE_URL and the other settings in its environment.
 */
export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const STACK = /\n\s+at .+\(?.+:\d+:\d+\)?/;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx nest build\` first (npm test does)`);
}

export function cli(
  databaseUrl: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, ...opts.env },
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

/** `fn` over `items`, at most `limit` at once (each CLI run is a process of its own), results in order. */
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
