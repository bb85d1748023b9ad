// Row 8: the login measure on PostgreSQL, two replicas (each pinned to a core of its own) against one
// replica on the same two cores, and every login judged once (its audit row counted in SQL).
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { BENCH_PASSWORD } = require('./seed');
const { startServer } = require('./harness');

const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = 4;
// Logins a round, over the replicas measured: all answered, so that each counted 200 is one audit row.
const LOGINS = 64;
// Per replica: enough that its checks never wait for a request to arrive (row 1b's sweep).
const CONNECTIONS_EACH = 3;

async function query(url, sql, params = []) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A database of the bench's own on the machine's PostgreSQL; dropped by `drop()`. */
async function createDatabase() {
  const name = `pxauth_bench_${randomBytes(4).toString('hex')}`;
  await query(PG_ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => query(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** `count` bench users with one shared hash, as bench/seed.js writes them into SQLite. */
async function seedUsers(url, count, hash) {
  const now = Date.now();
  await query(
    url,
    `INSERT INTO users (id, institution_id, username, username_norm, password_hash, auth_epoch, terms_accepted_version,
       created_at, updated_at)
     SELECT substr(md5(random()::text || i), 1, 22), 'default', 'bench' || i, 'bench' || i, $1, 0, 1, $2, $2
     FROM generate_series(0, $3 - 1) AS i`,
    [hash, now, count],
  );
  await query(url, 'ANALYZE');
}

/** `amount` logins over `connections` to one server, every one answered: 200s, other statuses, errors. */
function load(ac, server, users, connections, amount) {
  return new Promise((resolve, reject) => {
    const statuses = {};
    let last = process.hrtime.bigint();
    const inst = ac(
      {
        url: server.publicUrl,
        connections,
        amount,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/users/auth_token',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'x-plaid-client-id': 'sandbox-client',
              'x-plaid-secret': 'sandbox-secret',
            },
            setupRequest: (r) => ({
              ...r,
              body: new URLSearchParams({
                username: `bench${Math.floor(Math.random() * users)}`,
                password: BENCH_PASSWORD,
              }).toString(),
            }),
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve({ statuses, last, errors: r.errors + r.timeouts })),
    );
    inst.on('response', (_c, status) => {
      // autocannon itself reports on its next 1 s tick: the rate runs to the last answer.
      last = process.hrtime.bigint();
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/** Logins per second of `servers` together, LOGINS split between them, each driven by its own connections. */
async function together(ac, servers, users) {
  const t0 = process.hrtime.bigint();
  const runs = await Promise.all(
    servers.map((s) => load(ac, s, users, CONNECTIONS_EACH * (2 / servers.length), LOGINS / servers.length)),
  );
  const wall = Number(runs.reduce((m, r) => (r.last > m ? r.last : m), t0) - t0) / 1e9;
  const ok = runs.reduce((s, r) => s + (r.statuses[200] ?? 0), 0);
  const other = runs.reduce(
    (s, r) =>
      s +
      Object.entries(r.statuses)
        .filter(([k]) => k !== '200')
        .reduce((t, [, v]) => t + v, 0),
    0,
  );
  return { ok, other, errors: runs.reduce((s, r) => s + r.errors, 0), rate: ok / wall };
}

/**
 * One replica on both cores, then two (one per core), interleaved rounds of LOGINS each with the same
 * connections in all (CONNECTIONS_EACH x 2, split between the two); then the login audit rows of the
 * whole measure counted in SQL against the 200s the clients received: each login judged once.
 */
async function replicas(ac, env, users, hash) {
  const db = await createDatabase();
  const servers = [];
  try {
    const pgEnv = { ...env, DATABASE_URL: db.url, DB_POOL_SIZE: '10' };
    // The first migrates and seeds the sandbox; the bench users are written once it has.
    const one = await startServer(pgEnv, { cpus: '0,1' });
    servers.push(one);
    await seedUsers(db.url, users, hash);
    const two = [await startServer(pgEnv, { cpus: '0' }), await startServer(pgEnv, { cpus: '1' })];
    servers.push(...two);
    for (const s of [one, ...two]) await load(ac, s, users, 2, 8);
    const [{ n: before }] = await query(
      db.url,
      `SELECT count(*)::int AS n FROM audit_event WHERE type = 'login' AND outcome = 'success'`,
    );
    const acc = { one: [], two: [], ok: 0, other: 0, errors: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [k, group] of [
        ['one', [one]],
        ['two', two],
      ]) {
        const r = await together(ac, group, users);
        acc[k].push(r.rate);
        acc.ok += r.ok;
        acc.other += r.other;
        acc.errors += r.errors;
      }
    }
    const [{ n: after }] = await query(
      db.url,
      `SELECT count(*)::int AS n FROM audit_event WHERE type = 'login' AND outcome = 'success'`,
    );
    const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
    return {
      one: mean(acc.one),
      two: mean(acc.two),
      oneRange: [Math.min(...acc.one), Math.max(...acc.one)],
      twoRange: [Math.min(...acc.two), Math.max(...acc.two)],
      ok: acc.ok,
      other: acc.other,
      errors: acc.errors,
      auditRows: after - before,
      rounds: ROUNDS,
      logins: LOGINS,
      connections: 2 * CONNECTIONS_EACH,
    };
  } finally {
    for (const s of servers) await s.close();
    await db.drop();
  }
}

module.exports = { replicas };
