// npm run bench: how close a login through pxauth comes to the cost of its one argon2id verify.
// Machines here are shared and noisy, so it reports ratios of rates measured in the same run.
require('reflect-metadata');
const argon2 = require('argon2');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Writable } = require('node:stream');
const { startPxAuth } = require('../dist/server');
const { ARGON2_OPTIONS } = require('../dist/users/password-hasher');

const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

async function rate(label, n, concurrency, fn) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        await fn();
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${label.padEnd(46)} ${(n / s).toFixed(1).padStart(7)} /s  (${n} in ${s.toFixed(2)} s, ${concurrency} at a time)`,
  );
  return n / s;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-bench-'));
  const px = await startPxAuth({
    env: {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'b.sqlite')}`,
      LOG_LEVEL: 'warn',
      LOCKOUT_THRESHOLD: '100',
    },
    logStream: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-PLAID-CLIENT-ID': 'sandbox-client',
    'X-PLAID-SECRET': 'sandbox-secret',
  };
  const login = (username, password) =>
    fetch(`${px.publicUrl}/users/auth_token`, {
      method: 'POST',
      headers,
      body: `username=${username}&password=${password}`,
    }).then(async (r) => {
      await r.text();
      if (r.status !== 200 && r.status !== 401) throw new Error(`status ${r.status}`);
    });
  try {
    const hash = await argon2.hash('pass_good', ARGON2_OPTIONS);
    console.log(
      `pxauth login benchmark: ${N} operations each, argon2id m=19456 KiB t=2 p=1, ${require('node:os').cpus().length} cores`,
    );
    const raw = await rate('raw argon2id verify', N, CONCURRENCY, () => argon2.verify(hash, 'pass_good'));
    const ok = await rate('POST /users/auth_token, 200 (user_good)', N, CONCURRENCY, () =>
      login('user_good', 'pass_good'),
    );
    const unknown = await rate('POST /users/auth_token, 401 (unknown user)', N, CONCURRENCY, () =>
      login(`nobody${Math.random()}`, 'x'),
    );
    console.log(
      `\nlogin 200 / raw verify: ${(ok / raw).toFixed(2)}   unknown-user 401 / raw verify: ${(unknown / raw).toFixed(2)}`,
    );
    console.log(
      'A ratio near 1 means a login costs little beyond its argon2 verify; the 401 for an unknown user costs the same (a dummy verify).',
    );
  } finally {
    await px.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
