// node bench/import.js (after `npx nest build`): users:import as an operator runs it, timed.
// A file of HASH_ROWS rows with password_hash (bcrypt and argon2id, stored as given) and one of
// CLEAR_ROWS rows with clear passwords (hashed with argon2id in parallel), each into a new database
// (a fresh SQLite file, or BENCH_DATABASE_URL). The clear file is compared with its goal, measured in
// the same run: rows x one argon2id hash / cores, within 1.2x.
const argon2 = require('argon2');
const bcrypt = require('bcryptjs');
const { execFileSync } = require('node:child_process');
const { createWriteStream, mkdtempSync, rmSync } = require('node:fs');
const { availableParallelism, tmpdir } = require('node:os');
const { join } = require('node:path');
const { once } = require('node:events');
const { ARGON2_OPTIONS } = require('../dist/users/password-hasher');

const HASH_ROWS = Number(process.env.HASH_ROWS ?? 100_000);
const CLEAR_ROWS = Number(process.env.CLEAR_ROWS ?? 10_000);
const CLI = join(__dirname, '..', 'dist', 'cli', 'main.js');

async function writeCsv(file, rows, line) {
  const out = createWriteStream(file);
  out.write('username,password,password_hash,phone,email,institution_id\n');
  for (let i = 0; i < rows; i++) if (!out.write(line(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

function runImport(dir, name, file) {
  const url = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, `${name}.sqlite`)}`;
  const env = { ...process.env, NODE_ENV: 'test', SANDBOX: 'false', DATABASE_URL: url };
  execFileSync(process.execPath, [CLI, 'db:migrate'], { env, stdio: 'ignore' });
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [CLI, 'users:import', file, '--json'], { env, maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const report = JSON.parse(out.toString());
  console.log(
    `${name.padEnd(16)} ${String(report.created).padStart(7)} created in ${seconds.toFixed(1)} s ` +
      `(${(report.created / seconds).toFixed(0)} rows/s; import itself ${report.seconds.toFixed(1)} s, ` +
      `${report.cpu_seconds.toFixed(1)} s of CPU: ${(report.cpu_seconds / report.seconds).toFixed(2)} cores busy)`,
  );
  return report;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-import-bench-'));
  try {
    // A few real hashes, cycled: what is stored is checked for form, not uniqueness.
    const bcrypts = Array.from({ length: 20 }, (_, i) => bcrypt.hashSync(`pw-${i}`, 10));
    const argons = await Promise.all(Array.from({ length: 20 }, (_, i) => argon2.hash(`pw-${i}`, ARGON2_OPTIONS)));
    const hashFile = join(dir, 'hashes.csv');
    await writeCsv(hashFile, HASH_ROWS, (i) => {
      const hash = i % 2 ? bcrypts[i % 20] : `"${argons[i % 20]}"`;
      return `bench_${i},,${hash},+1415555${String(i % 10_000).padStart(4, '0')},u${i}@example.com,\n`;
    });
    const clearFile = join(dir, 'clear.csv');
    await writeCsv(clearFile, CLEAR_ROWS, (i) => `clear_${i},password number ${i},,,,\n`);

    console.log(`${availableParallelism()} cores`);
    runImport(dir, 'password_hash', hashFile);
    // One argon2id hash, alone, measured now: the goal moves with the machine's load.
    const n = 20;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await argon2.hash(`x${i}`, ARGON2_OPTIONS);
    const one = Number(process.hrtime.bigint() - t0) / 1e9 / n;
    const goal = (CLEAR_ROWS * one) / availableParallelism();
    const oneCpu = process.cpuUsage();
    for (let i = 0; i < n; i++) await argon2.hash(`y${i}`, ARGON2_OPTIONS);
    const used = process.cpuUsage(oneCpu);
    const cpuPerHash = (used.user + used.system) / 1e6 / n;
    const clear = runImport(dir, 'password', clearFile);
    console.log(
      `one argon2id hash ${(one * 1000).toFixed(1)} ms (${(cpuPerHash * 1000).toFixed(1)} ms of CPU); ` +
        `goal for ${CLEAR_ROWS} rows: ${goal.toFixed(1)} s; took ${(clear.seconds / goal).toFixed(2)} x the goal ` +
        `(target <= 1.2); CPU per row ${((clear.cpu_seconds / CLEAR_ROWS) * 1000).toFixed(1)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
