// What the bench's measures share: the machine's CPU counters, the SQLite and PostgreSQL databases the
// bench prepares, and pxauth started in a child process of its own (bench/server.js).
require('reflect-metadata');
const { fork } = require('node:child_process');
const { readFileSync } = require('node:fs');
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
 * pxauth in a process of its own, so that its CPU is not the load generator's. `options.cpus` pins it to
 * those cores (Linux's taskset, e.g. '0' or '0,1'); `options.execArgv` are Node's own flags (a CPU profile, for one).
 */
function startServer(env, options = {}) {
  const script = join(__dirname, 'server.js');
  const stdio = ['ignore', 'inherit', 'inherit', 'ipc'];
  const execArgv = options.execArgv ?? [];
  // Pinned from its start, so that os.availableParallelism() (the default admission) sees its cores.
  const child =
    options.cpus === undefined
      ? fork(script, [JSON.stringify(env)], { stdio, execArgv })
      : fork(script, [JSON.stringify(env)], {
          stdio,
          execPath: 'taskset',
          execArgv: ['-c', options.cpus, process.execPath, ...execArgv],
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

module.exports = { ENV, machineCpu, stolenShare, prepareDatabase, startServer };
