// The five measurements of the bench, each as a ratio of rates taken in the same run.
const PLAID = {
  'content-type': 'application/x-www-form-urlencoded',
  'x-plaid-client-id': 'sandbox-client',
  'x-plaid-secret': 'sandbox-secret',
};
const RS_KEY = 'sandbox-rs-key';
const KBA = {
  'What city were you born in?': 'San Francisco',
  'Where did you go to high school?': 'Billings High School',
  "What is your mother's maiden name?": 'Platypus',
};
const { BENCH_PASSWORD } = require('./seed');
const { bestConcurrency } = require('./sweep');
const { replicas } = require('./replicas');

const form = (o) => new URLSearchParams(o).toString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (n) => Math.floor(Math.random() * n);
const sum = (xs) => xs.reduce((s, x) => s + x, 0);
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/** One autocannon run; `onResponse(status, ms)` sees each answer. Resolves with autocannon's result and the wall time. */
function cannon(autocannon, opts, onResponse) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const inst = autocannon({ timeout: 30, ...opts }, (err, result) =>
      err ? reject(err) : resolve({ ...result, wall: Number(process.hrtime.bigint() - t0) / 1e9 }),
    );
    if (onResponse) inst.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

/** POST /users/auth_token with a body made for each request. */
const logins = (autocannon, server, body, opts, onResponse) =>
  cannon(
    autocannon,
    {
      url: server.publicUrl,
      ...opts,
      requests: [
        { method: 'POST', path: '/users/auth_token', headers: PLAID, setupRequest: (r) => ({ ...r, body: body() }) },
      ],
    },
    onResponse,
  );

const statuses = (r) => Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([s, v]) => [s, v.count]));
function expectOnly(r, status, what) {
  const s = statuses(r);
  if (Object.keys(s).some((k) => k !== String(status)) || r.errors)
    throw new Error(`${what}: expected only ${status}, got ${JSON.stringify(s)} and ${r.errors} errors`);
}
const cpuUs = async (server) => {
  const u = (await server.ask('usage')).cpu;
  return u.user + u.system;
};

/**
 * (1) server CPU per 200 login minus the CPU of one raw argon2id verify in the same process, in small
 * interleaved rounds. Each side is split between the event-loop thread (all of pxauth's own work, and
 * argon2's JavaScript part) and the other threads (libuv's, where argon2's memory-hard work runs), read
 * from Linux's per-thread schedstat: the event-loop share is pxauth's overhead alone; the other share
 * moves with how much argon2 itself costs while HTTP traffic shares the cores.
 */
async function cpuPerLogin(ac, a, small) {
  const N = 32;
  // A round's difference moves by a few ms with the machine (argon2 alone varies by 10% from round to
  // round on a shared host); forty rounds put the median's own uncertainty well under the 3 ms measured.
  const ROUNDS = 40;
  const body = () => form({ username: `bench${pick(small)}`, password: BENCH_PASSWORD });
  await logins(ac, a, body, { amount: 48, connections: 2 });
  await a.ask('argon2', { n: 16, concurrency: 2 });
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const u0 = await a.ask('usage');
    const t0 = process.hrtime.bigint();
    let last = t0;
    let answered = 0;
    let atLast;
    const r = await logins(ac, a, body, { amount: N, connections: 2 }, () => {
      last = process.hrtime.bigint();
      // The server's CPU is read at the last answer, as the raw verifies' is at the last verify: autocannon
      // reports on its next 1 s tick, and what the idle server's timers cost in that wait is no login's.
      if (++answered === N) atLast = a.ask('usage');
    });
    const u1 = await atLast;
    expectOnly(r, 200, 'login');
    const raw = await a.ask('argon2', { n: N, concurrency: 2 });
    const allUs = u1.cpu.user + u1.cpu.system - (u0.cpu.user + u0.cpu.system);
    const mainUs = (u1.mainNs - u0.mainNs) / 1000;
    rounds.push({
      loginMs: allUs / N / 1000,
      argonMs: raw.cpuUs / N / 1000,
      loopMs: (mainUs - raw.mainUs) / N / 1000,
      threadsMs: (allUs - mainUs - (raw.cpuUs - raw.mainUs)) / N / 1000,
      // From the first request to the last answer: autocannon's own run time ends on its 1 s tick.
      loginRate: N / (Number(last - t0) / 1e9),
      argonRate: N / raw.seconds,
    });
  }
  const overheads = rounds.map((r) => r.loginMs - r.argonMs);
  return {
    loginCpuMs: median(rounds.map((r) => r.loginMs)),
    argonCpuMs: median(rounds.map((r) => r.argonMs)),
    overheadMs: median(overheads),
    overheadMin: Math.min(...overheads),
    overheadMax: Math.max(...overheads),
    loopMs: median(rounds.map((r) => r.loopMs)),
    threadsMs: median(rounds.map((r) => r.threadsMs)),
    rateRatio: sum(rounds.map((r) => r.loginRate)) / sum(rounds.map((r) => r.argonRate)),
  };
}

/** (2) introspections per second, against the same listener's bare GET /healthz as the HTTP floor. */
async function introspection(ac, a) {
  const r = await fetch(`${a.publicUrl}/users/auth_token`, {
    method: 'POST',
    headers: PLAID,
    body: form({ username: 'user_good', password: 'pass_good' }),
  });
  const { auth_token } = await r.json();
  const check = await fetch(`${a.internalUrl}/tokens/introspect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${RS_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ token: auth_token }),
  }).then((x) => x.json());
  if (!check.active) throw new Error('introspection: the token is not active');
  const intro = {
    url: `${a.internalUrl}/tokens/introspect`,
    method: 'POST',
    headers: { authorization: `Bearer ${RS_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ token: auth_token }),
  };
  await cannon(ac, { ...intro, connections: 16, duration: 1 });
  // Three interleaved rounds of 2 s each, so both see the same machine.
  const acc = { n: 0, s: 0, cpu: 0, floorN: 0, floorS: 0, p99: [] };
  for (let i = 0; i < 3; i++) {
    const c0 = await cpuUs(a);
    const ir = await cannon(ac, { ...intro, connections: 16, duration: 2 });
    acc.cpu += (await cpuUs(a)) - c0;
    expectOnly(ir, 200, 'introspection');
    const hr = await cannon(ac, { url: `${a.internalUrl}/healthz`, connections: 16, duration: 2 });
    expectOnly(hr, 200, 'healthz');
    Object.assign(acc, { n: acc.n + ir.requests.total, s: acc.s + ir.wall });
    Object.assign(acc, { floorN: acc.floorN + hr.requests.total, floorS: acc.floorS + hr.wall });
    acc.p99.push(ir.latency.p99);
  }
  return {
    rate: acc.n / acc.s,
    p99: Math.max(...acc.p99),
    cpuMs: acc.cpu / acc.n / 1000,
    floor: acc.floorN / acc.floorS,
  };
}

/** (3) a wrong password for a known user against an unknown username, interleaved. */
async function unknownVsWrong(ac, a, small) {
  // Like for like: a random one of `small` known users, or of `small` usernames that do not exist.
  const wrong = () => form({ username: `bench${pick(small)}`, password: 'not-the-password' });
  const unknown = () => form({ username: `nobody${pick(small)}`, password: 'not-the-password' });
  const t = { wrong: 0, unknown: 0, wrongCpu: 0, unknownCpu: 0, count: 0 };
  for (let i = 0; i < 8; i++) {
    for (const [name, body] of [
      ['wrong', wrong],
      ['unknown', unknown],
    ]) {
      const c0 = await cpuUs(a);
      const r = await logins(ac, a, body, { amount: 32, connections: 2 });
      t[`${name}Cpu`] += (await cpuUs(a)) - c0;
      expectOnly(r, 401, name);
      t[name] += r.wall;
    }
    t.count += 32;
  }
  return {
    wrongRate: t.count / t.wrong,
    unknownRate: t.count / t.unknown,
    wrongCpuMs: t.wrongCpu / t.count / 1000,
    unknownCpuMs: t.unknownCpu / t.count / 1000,
  };
}

/** (4) 300 clients logging in at once for 20 s: p99 of the accepted, sheds, errors, peak memory. */
async function overload(ac, a, small) {
  await a.ask('resetPeak');
  // prom-client resets its event-loop delay histogram at each scrape: this one starts the window.
  await fetch(`${a.internalUrl}/metrics`).then((x) => x.text());
  await a.ask('servedStart');
  const ok = [];
  const byStatus = {};
  const r = await logins(
    ac,
    a,
    () => form({ username: `bench${pick(small)}`, password: BENCH_PASSWORD }),
    { connections: 300, duration: 20, timeout: 30 },
    (status, ms) => {
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status === 200) ok.push(ms);
    },
  );
  const served = (await a.ask('servedStop')).ms;
  const loop = await fetch(`${a.internalUrl}/metrics`).then((x) => x.text());
  const gauge = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(loop)?.[1]) * 1000;
  // What the clients left in flight is still being computed: wait until the argon2 queue is empty.
  for (let i = 0; i < 60; i++) {
    const m = await fetch(`${a.internalUrl}/metrics`).then((x) => x.text());
    if (!/^pxauth_argon2_in_flight\{[^}]*\} [1-9]/m.test(m)) break;
    await sleep(500);
  }
  const usage = await a.ask('usage');
  return {
    answered: sum(Object.values(byStatus)),
    byStatus,
    okRate: ok.length / r.wall,
    p50: pct(ok, 50),
    p99: pct(ok, 99),
    max: Math.max(...ok),
    servedP99: pct(served, 99),
    servedMax: Math.max(...served),
    shed: byStatus[503] ?? 0,
    errors: r.errors,
    timeouts: r.timeouts,
    peakRssMb: usage.peakRss / 2 ** 20,
    loopP99Ms: gauge('nodejs_eventloop_lag_p99_seconds'),
    loopMaxMs: gauge('nodejs_eventloop_lag_max_seconds'),
  };
}

/** The admission metrics of a scrape: checks that ran, by class (`legacy`, `oauth`). */
async function checksByClass(server) {
  const text = await fetch(`${server.internalUrl}/metrics`).then((x) => x.text());
  const count = (c) =>
    Number(
      new RegExp(`^pxauth_argon2_verify_duration_seconds_count\\{class="${c}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { legacy: count('legacy'), oauth: count('oauth') };
}

/** Until the argon2 queue is empty: what one phase left in flight is not the next one's. */
async function drained(server) {
  for (let i = 0; i < 60; i++) {
    const m = await fetch(`${server.internalUrl}/metrics`).then((x) => x.text());
    if (!/^pxauth_argon2_in_flight\{[^}]*\} [1-9]/m.test(m)) return;
    await sleep(250);
  }
}

/**
 * Anonymous visitors of the hosted sign-in pages, as a bot would be: each opens a sign-in (GET
 * /oauth2/authorize, its cookie and CSRF token) and posts wrong passwords for usernames that do not
 * exist, again and again on the same sign-in while it is answered 401, on a new one once it was shed
 * (a 303 to the redirect URI with error=temporarily_unavailable ends the sign-in).
 */
function signInFloodClients(server, clients, until) {
  const tally = { judged: 0, shed: 0, other: 0, opened: 0 };
  const authorize =
    `${server.publicUrl}/oauth2/authorize?` +
    form({
      response_type: 'code',
      client_id: 'sandbox-client',
      redirect_uri: 'https://cdn.plaid.com/link/v2/stable/oauth.html',
      state: 'bench',
    });
  const open = async () => {
    const r = await fetch(authorize, { redirect: 'manual' });
    const html = await r.text();
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('pxauth_signin='));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (r.status !== 200 || !cookie || !csrf) throw new Error(`sign-in flood: authorize answered ${r.status}`);
    tally.opened++;
    return { cookie: cookie.split(';')[0], csrf };
  };
  const one = async () => {
    let s = null;
    while (Date.now() < until) {
      s ??= await open();
      const r = await fetch(`${server.publicUrl}/oauth2/signin`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie },
        body: form({ _csrf: s.csrf, username: `nobody${pick(1e9)}`, password: 'not-the-password' }),
      });
      await r.arrayBuffer();
      if (r.status === 401) tally.judged++;
      else if (r.status === 303 && /error=temporarily_unavailable/.test(r.headers.get('location') ?? '')) {
        tally.shed++;
        s = null;
      } else {
        tally.other++;
        s = null;
      }
    }
  };
  return Promise.all(Array.from({ length: clients }, one)).then(() => tally);
}

/**
 * (6) Plaid's logins beside a flood of anonymous sign-ins: Plaid's accepted logins per second alone,
 * then with the flood, and Plaid's share of the checks that ran while both wanted more than they got.
 */
async function signInShare(ac, a, small, share) {
  const PLAID_CONNECTIONS = 30;
  const FLOOD_CLIENTS = 150;
  const plaid = (seconds, onResponse) =>
    logins(
      ac,
      a,
      () => form({ username: `bench${pick(small)}`, password: BENCH_PASSWORD }),
      { connections: PLAID_CONNECTIONS, duration: seconds, timeout: 30 },
      onResponse,
    );
  const phase = async (seconds, floodClients) => {
    await drained(a);
    const byStatus = {};
    const c0 = await checksByClass(a);
    const until = Date.now() + seconds * 1000;
    const flood = floodClients ? signInFloodClients(a, floodClients, until) : Promise.resolve(null);
    // How often Plaid had no check waiting (then the sign-ins may take every slot, as they should).
    const idle = { samples: 0, plaidNoneWaiting: 0 };
    const sampling = (async () => {
      while (Date.now() < until) {
        const m = await fetch(`${a.internalUrl}/metrics`).then((x) => x.text());
        idle.samples++;
        if (/^pxauth_argon2_checks\{state="queued",class="legacy"\} 0$/m.test(m)) idle.plaidNoneWaiting++;
        await sleep(100);
      }
    })();
    const r = await plaid(seconds, (status) => (byStatus[status] = (byStatus[status] ?? 0) + 1));
    const signIns = await flood;
    await sampling;
    const c1 = await checksByClass(a);
    return {
      byStatus,
      okRate: (byStatus[200] ?? 0) / r.wall,
      errors: r.errors + r.timeouts,
      wall: r.wall,
      checks: { legacy: c1.legacy - c0.legacy, oauth: c1.oauth - c0.oauth },
      signIns,
      plaidNoneWaiting: idle.plaidNoneWaiting / Math.max(1, idle.samples),
    };
  };
  // The sign-in pages warmed up (their templates, the statements), then Plaid alone, then both.
  await signInFloodClients(a, 4, Date.now() + 1000);
  const alone = await phase(8, 0);
  const flooded = await phase(12, FLOOD_CLIENTS);
  await drained(a);
  const ran = flooded.checks.legacy + flooded.checks.oauth;
  return {
    share,
    plaidConnections: PLAID_CONNECTIONS,
    floodClients: FLOOD_CLIENTS,
    alone,
    flooded,
    plaidShare: flooded.checks.legacy / Math.max(1, ran),
    rateRatio: flooded.okRate / alone.okRate,
  };
}

/** One KBA login and its 2fa; only the 2fa is timed. */
async function kbaFlow(server) {
  const login = await fetch(`${server.publicUrl}/users/auth_token`, {
    method: 'POST',
    headers: PLAID,
    body: form({ username: 'user_kba', password: 'pass_good' }),
  }).then((x) => x.json());
  const p = new URLSearchParams({ challenge_id: login.challenge.id });
  login.challenge.questions.forEach((q, i) => {
    p.append(`answers[${i}].question_id`, q.id);
    p.append(`answers[${i}].text`, KBA[q.text]);
  });
  const c0 = await cpuUs(server);
  const t0 = process.hrtime.bigint();
  const r = await fetch(`${server.publicUrl}/users/${login.user_id}/2fa`, {
    method: 'POST',
    headers: PLAID,
    body: p.toString(),
  });
  await r.text();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (await cpuUs(server)) - c0;
  if (r.status !== 200) throw new Error(`2fa: ${r.status}`);
  return { seconds, cpu };
}

/** (5) auth_token and 2fa with `small` and `large` users in the database, interleaved. */
async function scale(ac, a, b, small, large) {
  const acc = {
    a: { login: 0, loginN: 0, loginCpu: 0, tfa: 0, tfaN: 0, tfaCpu: 0 },
    b: { login: 0, loginN: 0, loginCpu: 0, tfa: 0, tfaN: 0, tfaCpu: 0 },
  };
  for (const [s, n] of [
    [a, small],
    [b, large],
  ]) {
    await logins(ac, s, () => form({ username: `bench${pick(n)}`, password: BENCH_PASSWORD }), {
      amount: 10,
      connections: 2,
    });
    await kbaFlow(s);
  }
  for (let i = 0; i < 5; i++) {
    for (const [k, s, n] of [
      ['a', a, small],
      ['b', b, large],
    ]) {
      const c0 = await cpuUs(s);
      const r = await logins(ac, s, () => form({ username: `bench${pick(n)}`, password: BENCH_PASSWORD }), {
        amount: 30,
        connections: 2,
      });
      acc[k].loginCpu += (await cpuUs(s)) - c0;
      expectOnly(r, 200, `login with ${n} users`);
      acc[k].login += r.wall;
      acc[k].loginN += 30;
      for (let j = 0; j < 6; j++) {
        const flow = await kbaFlow(s);
        acc[k].tfa += flow.seconds;
        acc[k].tfaCpu += flow.cpu;
        acc[k].tfaN += 1;
      }
    }
  }
  const rate = (k, what) => acc[k][`${what}N`] / acc[k][what];
  return {
    loginSmall: rate('a', 'login'),
    loginLarge: rate('b', 'login'),
    tfaSmall: rate('a', 'tfa'),
    tfaLarge: rate('b', 'tfa'),
    loginCpuSmall: acc.a.loginCpu / acc.a.loginN / 1000,
    loginCpuLarge: acc.b.loginCpu / acc.b.loginN / 1000,
    tfaCpuSmall: acc.a.tfaCpu / acc.a.tfaN / 1000,
    tfaCpuLarge: acc.b.tfaCpu / acc.b.tfaN / 1000,
  };
}

/**
 * The rows asked for: every one, or those of `only` (BENCH_ONLY, a comma-separated list such as `1b,4,8`).
 * Row 8 needs the machine's PostgreSQL; `pg` (its hash and env) comes from bench/run.js.
 */
async function measure({ a, b, small, large, autocannon: ac, share, only, pg }) {
  const step = async (name, fn) => {
    const t0 = Date.now();
    process.stdout.write(`  ${name} ... `);
    const r = await fn();
    console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return r;
  };
  const wanted = (row) => !only || only.split(',').includes(row);
  const out = {};
  console.log('measuring:');
  if (wanted('1')) out.cpu = await step('(1) CPU per login beyond argon2', () => cpuPerLogin(ac, a, small));
  if (wanted('1b'))
    out.sweep = await step('(1b) best concurrency, logins and raw verifies', () => bestConcurrency(ac, a, small));
  if (wanted('2')) out.introspection = await step('(2) introspection', () => introspection(ac, a));
  if (wanted('3'))
    out.enumeration = await step('(3) unknown username vs wrong password', () => unknownVsWrong(ac, a, small));
  if (wanted('5') && b) out.scale = await step(`(5) ${small} vs ${large} users`, () => scale(ac, a, b, small, large));
  if (wanted('4')) out.overload = await step('(4) 300 clients for 20 s', () => overload(ac, a, small));
  if (wanted('6')) out.signIn = await step('(6) sign-in flood beside Plaid', () => signInShare(ac, a, small, share));
  if (wanted('8'))
    out.replicas = await step('(8) PostgreSQL, two replicas against one', () => replicas(ac, pg.env, small, pg.hash));
  return out;
}

module.exports = { measure };
