// What the bench's measures share: the machine's CPU counters, the SQLite and PostgreSQL databases the
// bench prepares, and pxauth started in a child process of its own (bench/server.js).
require('reflect-metadata');
const { fork } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Writable } = require('node:stream');
const { startPxAuth } = require('../dist/server');
const { seedUsers } = require('./seed');

const ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  ADMIN_HOST: '127.0.0.1',
  ADMIN_PORT: '0',
  LOG_LEVEL: 'warn',
  PURGE_INTERVAL: '0',
  LOCKOUT_THRESHOLD: '100',
  // Row 6's 150 sign-in clients all come from loopback: the per-address limit of the sign-in pages
  // (60 a minute, docs/configuration.md) would answer them 429; that row measures the admission's sharing.
  OAUTH_THROTTLE_PER_ADDRESS: '0',
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
async function prepareDatabase(dir, name, users, hash, env = ENV) {
  const file = join(dir, `${name}.sqlite`);
  const px = await startPxAuth({
    env: { ...env, DATABASE_URL: `sqlite:${file}` },
    logStream: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  await px.close();
  const t0 = Date.now();
  seedUsers(file, users, hash);
  console.log(`  ${name}: ${users.toLocaleString('en')} users seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

/**
 * The memory limit of pxauth's container in the shipped Kubernetes manifest (deploy/kubernetes/pxauth-sidecar.yaml,
 * `limits: { ..., memory: 512Mi }`), in bytes: the bench runs pxauth within it, as a bank does.
 */
function deployedMemoryLimit() {
  const manifest = readFileSync(join(__dirname, '..', 'deploy', 'kubernetes', 'pxauth-sidecar.yaml'), 'utf8');
  const mi = /limits:\s*\{[^}]*memory:\s*(\d+)Mi/.exec(manifest)?.[1];
  if (!mi) throw new Error('bench: no `limits: { memory: NMi }` in deploy/kubernetes/pxauth-sidecar.yaml');
  return Number(mi) * 2 ** 20;
}

/**
 * A Linux memory cgroup (v2's memory.max, or v1's memory.limit_in_bytes) of `bytes`, for one bench server to
 * run in as it runs in its container: Node sizes V8's heap from the limit it finds there
 * (`process.constrainedMemory()`), and on a machine of 24 GiB without one lets its heap grow to gigabytes
 * before collecting. Null where the machine does not let the bench make one (not root, no memory controller).
 */
let cgroups = 0;
function memoryCgroup(bytes) {
  // v1 mounts each controller apart; v2 has one hierarchy, whose memory.max exists where the controller is on.
  const v1 = existsSync('/sys/fs/cgroup/memory');
  const dir = `/sys/fs/cgroup/${v1 ? 'memory/' : ''}pxauth-bench-${process.pid}-${++cgroups}`;
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, v1 ? 'memory.limit_in_bytes' : 'memory.max'), String(bytes));
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never made
    }
    return null;
  }
  return { procs: join(dir, 'cgroup.procs'), remove: () => rmdirSync(dir) };
}

/**
 * pxauth in a process of its own, so that its CPU is not the load generator's, within the memory its
 * container is given (memoryCgroup, above; `options.memoryLimit`, bytes, or null for none). `options.cpus`
 * pins it to those cores (Linux's taskset, e.g. '0' or '0,1'); `options.execArgv` are Node's own flags (a CPU
 * profile, for one).
 */
function startServer(env, options = {}) {
  const script = join(__dirname, 'server.js');
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const limit = options.memoryLimit === undefined ? deployedMemoryLimit() : options.memoryLimit;
  const cgroup = limit === null ? null : memoryCgroup(limit);
  // The launchers, outermost first, each exec'ing the next: the shell joins the cgroup before Node starts (so
  // that Node reads its limit at start), taskset pins from the start (so that os.availableParallelism(), the
  // default admission, sees its cores).
  const launch = [
    ...(cgroup ? ['/bin/sh', '-c', `echo $$ > ${cgroup.procs} && exec "$0" "$@"`] : []),
    ...(options.cpus === undefined ? [] : ['taskset', '-c', options.cpus]),
    process.execPath,
    ...(options.execArgv ?? []),
  ];
  const child = fork(script, [JSON.stringify(env)], { stdio, execPath: launch[0], execArgv: launch.slice(1) });
  let seq = 0;
  const pending = new Map();
  const removeCgroup = () => cgroup?.remove();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      removeCgroup();
      reject(new Error(`bench server exited with ${code}`));
    });
    child.on('message', (m) => {
      if (m.ready) {
        resolve({
          publicUrl: m.publicUrl,
          internalUrl: m.internalUrl,
          pid: child.pid,
          // What Node found it may use, and the heap it sized from that (bytes; memory null without a cgroup).
          memory: { limit: cgroup ? m.constrainedMemory : null, heapLimit: m.heapLimit },
          ask: (cmd, extra = {}) =>
            new Promise((res) => {
              const id = ++seq;
              pending.set(id, res);
              child.send({ cmd, id, ...extra });
            }),
          close: () =>
            new Promise((res) => {
              child.removeAllListeners('exit');
              child.once('exit', () => res(removeCgroup()));
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

module.exports = { ENV, machineCpu, stolenShare, prepareDatabase, startServer };
