// The bench's edge rows (src/edge/): row 2's ceiling, a bare node:http server answering introspection's
// very bytes, and row 7, the refusals Plaid asks again most against /healthz. Rates in interleaved
// rounds, each round's ratio taken within it, with the share of CPU the hypervisor stole meanwhile.
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const PLAID = {
  'content-type': 'application/x-www-form-urlencoded',
  'x-plaid-client-id': 'sandbox-client',
  'x-plaid-secret': 'sandbox-secret',
};
const RS = { authorization: 'Bearer sandbox-rs-key', 'content-type': 'application/x-www-form-urlencoded' };
const CONNECTIONS = 16;
const form = (o) => new URLSearchParams(o).toString();
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Linux's whole-machine CPU counters: all of them, and those the hypervisor stole. */
function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { all: ticks.slice(0, 8).reduce((s, x) => s + x, 0), steal: ticks[7] };
}
const stolen = (from, to) => (to.steal - from.steal) / Math.max(1, to.all - from.all);

/** Requests per second of one autocannon run, from its first request to its end, and its statuses. */
function rate(ac, opts) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    ac({ connections: CONNECTIONS, duration: 2, timeout: 30, ...opts }, (err, r) => {
      if (err) return reject(err);
      const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([s, v]) => [s, v.count]));
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const total = r.requests.total;
      resolve({ rate: total / wall, total, statuses, errors: r.errors + r.timeouts, p99: r.latency.p99 });
    });
  });
}

function expectOnly(r, status, what) {
  if (Object.keys(r.statuses).some((s) => s !== String(status)) || r.errors)
    throw new Error(`${what}: expected only ${status}, got ${JSON.stringify(r.statuses)} and ${r.errors} errors`);
}

/** The CPU time (µs, every thread) the server has used, from its own process.cpuUsage(). */
async function cpuUs(server) {
  const u = (await server.ask('usage')).cpu;
  return u.user + u.system;
}

/**
 * `cases` (name -> autocannon options and the one status expected) in `rounds` interleaved rounds after
 * a warm-up; each round's rate of every case against the round's rate of `floor`. With `server` (the
 * bench server's handle), also the server's CPU per answer of each case: noise on a shared machine
 * moves it far less than a rate.
 */
async function interleaved(ac, cases, floor, rounds, server) {
  for (const c of Object.values(cases)) await rate(ac, { ...c.opts, duration: 1 });
  const cpu0 = machineCpu();
  const out = Object.fromEntries(Object.keys(cases).map((k) => [k, { rates: [], ratios: [], p99: [], cpu: [] }]));
  for (let i = 0; i < rounds; i++) {
    const got = {};
    for (const [name, c] of Object.entries(cases)) {
      const before = server && (await cpuUs(server));
      const r = await rate(ac, c.opts);
      if (server) r.cpuUs = ((await cpuUs(server)) - before) / Math.max(1, r.total);
      expectOnly(r, c.status, name);
      got[name] = r;
    }
    for (const name of Object.keys(cases)) {
      out[name].rates.push(got[name].rate);
      out[name].ratios.push(got[name].rate / got[floor].rate);
      out[name].p99.push(got[name].p99);
      if (server) out[name].cpu.push(got[name].cpuUs);
    }
  }
  const summary = (o) => ({
    rate: median(o.rates),
    ratio: median(o.ratios),
    ratioMin: Math.min(...o.ratios),
    ratioMax: Math.max(...o.ratios),
    p99: Math.max(...o.p99),
    cpuUs: o.cpu.length ? median(o.cpu) : undefined,
  });
  return {
    rounds,
    stolen: stolen(cpu0, machineCpu()),
    ...Object.fromEntries(Object.entries(out).map(([k, o]) => [k, summary(o)])),
  };
}

/** A bare node:http server in a child process, answering `body` with `headers`. */
function startBare(body, headers) {
  const child = fork(join(__dirname, 'bare-server.js'), [JSON.stringify({ body, headers })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
    child.once('message', (m) =>
      resolve({
        url: m.url,
        close: () =>
          new Promise((res) => {
            child.removeAllListeners('exit');
            child.once('exit', res);
            child.send({ cmd: 'close' });
          }),
      }),
    );
  });
}

/** A live token of the sandbox's user_good, and that user's id. */
async function signIn(a) {
  const r = await fetch(`${a.publicUrl}/users/auth_token`, {
    method: 'POST',
    headers: PLAID,
    body: form({ username: 'user_good', password: 'pass_good' }),
  });
  const { auth_token: token, user_id: userId } = await r.json();
  if (!token) throw new Error(`the sandbox login answered ${r.status}`);
  return { token, userId };
}

/** (2) introspection against a bare node:http server answering the same bytes. */
async function introspectionCeiling(ac, a) {
  const { token } = await signIn(a);
  const intro = { url: `${a.internalUrl}/tokens/introspect`, method: 'POST', headers: RS, body: form({ token }) };
  const sample = await fetch(intro.url, intro);
  const body = await sample.text();
  if (sample.status !== 200 || !JSON.parse(body).active) throw new Error('introspection: the token is not active');
  // Node adds Date, Connection, Keep-Alive and Content-Length to both; the rest are pxauth's own.
  const headers = {};
  for (const [k, v] of sample.headers)
    if (!['date', 'connection', 'keep-alive', 'content-length'].includes(k)) headers[k] = v;
  const bare = await startBare(body, headers);
  try {
    const m = await interleaved(
      ac,
      {
        intro: { opts: intro, status: 200 },
        bare: { opts: { ...intro, url: `${bare.url}/tokens/introspect` }, status: 200 },
      },
      'bare',
      5,
    );
    return { rounds: m.rounds, stolen: m.stolen, rate: m.intro.rate, bareRate: m.bare.rate, ...ratioOf(m.intro) };
  } finally {
    await bare.close();
  }
}

const ratioOf = (s) => ({ ratio: s.ratio, ratioMin: s.ratioMin, ratioMax: s.ratioMax });

/**
 * (7) The refusals Plaid asks again most, with the right partner credentials: sendOtp and 2fa for an
 * unknown challenge of a known user, and for an unknown user_id, against GET /healthz on the same listener.
 */
async function refusals(ac, a) {
  const { userId } = await signIn(a);
  const challenge = () => randomBytes(32).toString('base64url');
  const post = (path, fields) => ({
    url: `${a.publicUrl}${path}`,
    requests: [{ method: 'POST', path, headers: PLAID, setupRequest: (r) => ({ ...r, body: form(fields()) }) }],
  });
  const nobody = 'nobody-' + randomBytes(8).toString('base64url');
  const cases = {
    healthz: { opts: { url: `${a.publicUrl}/healthz` }, status: 200 },
    sendOtp: {
      opts: post(`/users/${userId}/sendOtp`, () => ({ challenge_id: challenge(), send_method_id: 'sms-0' })),
      status: 400,
    },
    sendOtpNoUser: {
      opts: post(`/users/${nobody}/sendOtp`, () => ({ challenge_id: challenge(), send_method_id: 'sms-0' })),
      status: 400,
    },
    twoFactor: {
      opts: post(`/users/${userId}/2fa`, () => ({ challenge_id: challenge(), passcode: '123456' })),
      status: 400,
    },
    twoFactorNoUser: {
      opts: post(`/users/${nobody}/2fa`, () => ({ challenge_id: challenge(), passcode: '123456' })),
      status: 400,
    },
  };
  const m = await interleaved(ac, cases, 'healthz', 5, a);
  const refused = ['sendOtp', 'sendOtpNoUser', 'twoFactor', 'twoFactorNoUser'];
  return {
    rounds: m.rounds,
    stolen: m.stolen,
    healthz: m.healthz.rate,
    healthzCpuUs: m.healthz.cpuUs,
    cases: Object.fromEntries(
      refused.map((k) => [k, { rate: m[k].rate, p99: m[k].p99, cpuUs: m[k].cpuUs, ...ratioOf(m[k]) }]),
    ),
    worst: Math.min(...refused.map((k) => m[k].ratio)),
  };
}

/** The edge rows `only` asks for (all when it is not set). */
async function edgeMeasures({ a, autocannon: ac, only }) {
  const wanted = (row) => !only || only.includes(row);
  const step = async (name, fn) => {
    const t0 = Date.now();
    process.stdout.write(`  ${name} ... `);
    const r = await fn();
    console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return r;
  };
  const out = {};
  if (wanted('2')) out.ceiling = await step('(2) introspection / bare node:http', () => introspectionCeiling(ac, a));
  if (wanted('7')) out.refusals = await step('(7) refused sendOtp and 2fa / healthz', () => refusals(ac, a));
  return out;
}

module.exports = { edgeMeasures };
