// Jest's default order puts the suites it remembers as slowest first, but a clean clone has no such
// memory and falls back to file size, which started the production install (a small file, the longest
// suite) last and left one worker alone with it at the end. These suites are the slowest ones measured
// (docs/testing.md); they start first, in this order; the others follow in Jest's own order, all the
// PostgreSQL copies before the SQLite ones.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  // Each of one engine only: a suite's two copies must not start side by side (below).
  '/test/postgres/production-install.e2e-spec.ts',
  '/test/process.e2e-spec.ts',
  '/test/cli.e2e-spec.ts',
  '/test/console-browser.e2e-spec.ts',
];

const rank = (path) => {
  const i = SLOWEST_FIRST.findIndex((suffix) => path.replaceAll('\\', '/').endsWith(suffix));
  return i === -1 ? SLOWEST_FIRST.length : i;
};

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: within a rank, Jest's order stands.
    const first = ordered
      .filter((t) => rank(t.path) < SLOWEST_FIRST.length)
      .sort((a, b) => rank(a.path) - rank(b.path));
    const rest = ordered.filter((t) => rank(t.path) === SLOWEST_FIRST.length);
    // A suite's two copies (SQLite, PostgreSQL) never side by side: the flood suites (overload, metrics,
    // throttling) bound how long an answer may take, and two copies of one flood on the two workers took
    // every core from both (a staff call over 500 ms during a shed burst).
    const onPostgres = (t) => t.context.config.displayName?.name === 'e2e-postgres';
    return [...first, ...rest.filter(onPostgres), ...rest.filter((t) => !onPostgres(t))];
  }
}

module.exports = SlowFirstSequencer;
