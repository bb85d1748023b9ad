// Row 1b: logins per second at their best concurrency against raw argon2id verifies per second at theirs.
const { BENCH_PASSWORD } = require('./seed');

const PLAID = {
  'content-type': 'application/x-www-form-urlencoded',
  'x-plaid-client-id': 'sandbox-client',
  'x-plaid-secret': 'sandbox-secret',
};
const LOGIN_CONNECTIONS = [2, 3, 4, 6, 8];
const RAW_CONCURRENCY = [1, 2, 3, 4];
const ROUNDS = 4;
const N = 48;

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * `n` logins over `connections`, as a rate from the first request to the last answer (autocannon's own
 * run time ends on its next 1 s tick), and their statuses.
 */
function loginRate(ac, server, users, connections, n) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let last = t0;
    let answered = 0;
    const statuses = {};
    const inst = ac(
      {
        url: server.publicUrl,
        connections,
        amount: n,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/users/auth_token',
            headers: PLAID,
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
      (err, r) =>
        err
          ? reject(err)
          : resolve({ rate: (statuses[200] ?? 0) / (Number(last - t0) / 1e9), statuses, errors: r.errors }),
    );
    inst.on('response', (_c, status) => {
      last = process.hrtime.bigint();
      answered++;
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/** The best (highest mean over the rounds) of `byLevel`, with its rounds' spread. */
function best(byLevel) {
  const [level, rates] = [...byLevel.entries()].sort((a, b) => mean(b[1]) - mean(a[1]))[0];
  return { level, rate: mean(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

/**
 * Each login concurrency and each raw concurrency once a round, interleaved, so that every level sees the
 * same machine; the login's best against the raw verify's best. Only 200s count in a rate; a 503 (a
 * login shed because its check could not start within OVERLOAD_QUEUE_TIMEOUT) is counted and shown.
 */
async function bestConcurrency(ac, server, users) {
  const logins = new Map(LOGIN_CONNECTIONS.map((c) => [c, []]));
  const raw = new Map(RAW_CONCURRENCY.map((c) => [c, []]));
  await loginRate(ac, server, users, 4, 24);
  await server.ask('argon2', { n: 16, concurrency: 2 });
  let shed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of LOGIN_CONNECTIONS) {
      const r = await loginRate(ac, server, users, c, N);
      if (Object.keys(r.statuses).some((k) => k !== '200' && k !== '503') || r.errors)
        throw new Error(`sweep: ${c} connections answered ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
      shed += r.statuses[503] ?? 0;
      logins.get(c).push(r.rate);
    }
    for (const c of RAW_CONCURRENCY)
      raw.get(c).push(N / (await server.ask('argon2', { n: N, concurrency: c })).seconds);
  }
  const login = best(logins);
  const verify = best(raw);
  const table = (m) => [...m.entries()].map(([c, rates]) => `${c}: ${mean(rates).toFixed(1)}`).join(', ');
  return {
    login,
    verify,
    shed,
    ratio: login.rate / verify.rate,
    logins: table(logins),
    raw: table(raw),
    rounds: ROUNDS,
    n: N,
  };
}

module.exports = { bestConcurrency };
