// npm run bench: pxauth's speed goals, measured as ratios within one run, because the
// machines here are shared and noisy; writes BENCHMARKS.md. Never part of npm test.
require('reflect-metadata');
const argon2 = require('argon2');
const autocannon = require('autocannon');
const { fork } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { Writable } = require('node:stream');
const { startPxAuth } = require('../dist/server');
const { ARGON2_OPTIONS } = require('../dist/users/password-hasher');
const { seedUsers, BENCH_PASSWORD } = require('./seed');
const { edgeMeasures } = require('./edge-measures');
const { measure } = require('./measures');
const { report } = require('./report');

const SMALL = Number(process.env.BENCH_USERS_SMALL ?? 1_000);
const LARGE = Number(process.env.BENCH_USERS_LARGE ?? 1_000_000);
// BENCH_ONLY=6: only row 6 (the sign-in flood beside Plaid), on the small database alone; it prints its
// row and leaves BENCHMARKS.md as the last whole run wrote it. A list of rows runs those: BENCH_ONLY=2,7
// (the rows of the edge, src/edge/: introspection and its ceiling, the refusals against /healthz).
const ONLY = process.env.BENCH_ONLY;
const ONLY_ROWS = ONLY?.split(',').map((r) => r.trim());
// The share of the checks the sign-in pages may take while Plaid's logins wait (row 6 measures it).
const SIGNIN_SHARE = process.env.BENCH_SIGNIN_SHARE ?? '0.5';

const ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  ADMIN_HOST: '127.0.0.1',
  ADMIN_PORT: '0',
  LOG_LEVEL: 'warn',
  PURGE_INTERVAL: '0',
  LOCKOUT_THRESHOLD: '100',
  OVERLOAD_SIGNIN_SHARE: SIGNIN_SHARE,
};

/** Linux's whole-machine CPU counters (/proc/stat, in clock ticks): all of them, and those the hypervisor stole. */
function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { all: ticks.slice(0, 8).reduce((s, x) => s + x, 0), steal: ticks[7] };
}

/** The share of the machine's CPU time that other guests of the host took while the bench measured. */
function stolenShare(from, to) {
  return (to.steal - from.steal) / Math.max(1, to.all - from.all);
}

/** A migrated, sandbox-seeded SQLite file with `users` bench users. */
async function prepareDatabase(dir, name, users, hash) {
  const file = join(dir, `${name}.sqlite`);
  const px = await startPxAuth({
    env: { ...ENV, DATABASE_URL: `sqlite:${file}` },
    logStream: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  await px.close();
  const t0 = Date.now();
  seedUsers(file, users, hash);
  console.log(`  ${name}: ${users.toLocaleString('en')} users seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

/** pxauth in a process of its own, so that its CPU is not the load generator's. */
function startServer(file) {
  const child = fork(join(__dirname, 'server.js'), [JSON.stringify({ ...ENV, DATABASE_URL: `sqlite:${file}` })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.on('message', (m) => {
      if (m.ready) {
        resolve({
          publicUrl: m.publicUrl,
          internalUrl: m.internalUrl,
          pid: child.pid,
          ask: (cmd, extra = {}) =>
            new Promise((res) => {
              const id = ++seq;
              pending.set(id, res);
              child.send({ cmd, id, ...extra });
            }),
          close: () =>
            new Promise((res) => {
              child.removeAllListeners('exit');
              child.once('exit', res);
              child.send({ cmd: 'close', id: ++seq });
            }),
        });
      } else if (pending.has(m.id)) {
        pending.get(m.id)(m);
        pending.delete(m.id);
      }
    });
  });
}

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(join(os.tmpdir(), 'pxauth-bench-'));
  const servers = [];
  try {
    console.log(`pxauth bench: preparing ${ONLY ? 'one SQLite database' : 'two SQLite databases'}`);
    const hash = await argon2.hash(BENCH_PASSWORD, ARGON2_OPTIONS);
    const small = await prepareDatabase(dir, 'small', SMALL, hash);
    const large = ONLY ? null : await prepareDatabase(dir, 'large', LARGE, hash);
    const a = await startServer(small);
    servers.push(a);
    const b = large && (await startServer(large));
    if (b) servers.push(b);
    const load0 = os.loadavg();
    const cpu0 = machineCpu();
    const share = Number(SIGNIN_SHARE);
    const results = await measure({ a, b, small: SMALL, large: LARGE, autocannon, share, only: ONLY_ROWS });
    Object.assign(results, await edgeMeasures({ a, autocannon, only: ONLY_ROWS }));
    const stolen = stolenShare(cpu0, machineCpu());
    const seconds = (Date.now() - started) / 1000;
    const text = report({ results, small: SMALL, large: LARGE, seconds, load0, load1: os.loadavg(), stolen });
    if (ONLY) {
      console.log(
        `\n${text.table}\n\nBENCH_ONLY=${ONLY}: BENCHMARKS.md left as it was; the run took ${seconds.toFixed(0)} s.`,
      );
      return;
    }
    writeFileSync(join(__dirname, '..', 'BENCHMARKS.md'), text.markdown);
    console.log(`\n${text.table}\n\nBENCHMARKS.md written; the whole run took ${seconds.toFixed(0)} s.`);
  } finally {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
