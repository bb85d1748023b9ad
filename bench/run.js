// npm run bench: pxauth's speed goals, measured as ratios within one run, because the
// machines here are shared and noisy; writes BENCHMARKS.md. Never part of npm test.
require('reflect-metadata');
const argon2 = require('argon2');
const autocannon = require('autocannon');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { ARGON2_OPTIONS } = require('../dist/users/password-hasher');
const { BENCH_PASSWORD } = require('./seed');
const { edgeMeasures } = require('./edge-measures');
const { ENV: BASE_ENV, machineCpu, stolenShare, prepareDatabase, startServer } = require('./harness');
const { measure } = require('./measures');
const { report } = require('./report');

const SMALL = Number(process.env.BENCH_USERS_SMALL ?? 1_000);
const LARGE = Number(process.env.BENCH_USERS_LARGE ?? 1_000_000);
// BENCH_ONLY=6 (or a list: 1b,4,8; 2,7 the rows of the edge, src/edge/): only those rows, on the small database
// alone (row 5 needs both); it
// prints them and leaves BENCHMARKS.md as the last whole run wrote it.
const ONLY = process.env.BENCH_ONLY;
// The share of the checks the sign-in pages may take while Plaid's logins wait (row 6 measures it).
const SIGNIN_SHARE = process.env.BENCH_SIGNIN_SHARE ?? '0.5';

const ENV = { ...BASE_ENV, OVERLOAD_SIGNIN_SHARE: SIGNIN_SHARE };

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(join(os.tmpdir(), 'pxauth-bench-'));
  const servers = [];
  try {
    console.log(`pxauth bench: preparing ${ONLY ? 'one SQLite database' : 'two SQLite databases'}`);
    const hash = await argon2.hash(BENCH_PASSWORD, ARGON2_OPTIONS);
    const small = await prepareDatabase(dir, 'small', SMALL, hash, ENV);
    const large = ONLY && !ONLY.split(',').includes('5') ? null : await prepareDatabase(dir, 'large', LARGE, hash, ENV);
    const a = await startServer({ ...ENV, DATABASE_URL: `sqlite:${small}` });
    servers.push(a);
    const b = large && (await startServer({ ...ENV, DATABASE_URL: `sqlite:${large}` }));
    if (b) servers.push(b);
    const load0 = os.loadavg();
    const cpu0 = machineCpu();
    const share = Number(SIGNIN_SHARE);
    const pg = { env: ENV, hash };
    const results = await measure({ a, b, small: SMALL, large: LARGE, autocannon, share, only: ONLY, pg });
    Object.assign(results, await edgeMeasures({ a, autocannon, only: ONLY?.split(',').map((r) => r.trim()) }));
    const stolen = stolenShare(cpu0, machineCpu());
    const seconds = (Date.now() - started) / 1000;
    const load1 = os.loadavg();
    const text = report({ results, small: SMALL, large: LARGE, seconds, load0, load1, stolen, memory: a.memory });
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
