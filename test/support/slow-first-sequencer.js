// Jest's default order puts the suites it remembers as slowest first, but a clean clone has no such
// memory and falls back to file size, which started the production install (a small file, the longest
// suite) last and left one worker alone with it at the end. These suites are the slowest ones measured
// (docs/testing.md); they start first, in this order, and everything else keeps Jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST_FIRST = [
  '/test/postgres/production-install.e2e-spec.ts',
  '/test/cli.e2e-spec.ts',
  '/test/process.e2e-spec.ts',
  '/test/postgres/partner-secrets-replicas.e2e-spec.ts',
  '/test/credential-http-mtls.e2e-spec.ts',
  '/test/phone-numbers.e2e-spec.ts',
  '/test/console-browser.e2e-spec.ts',
  '/test/overload.e2e-spec.ts',
  '/test/partner-secrets.e2e-spec.ts',
  '/test/oauth-clients.e2e-spec.ts',
  '/test/cli-import.e2e-spec.ts',
  '/test/cli-operators.e2e-spec.ts',
  '/test/postgres/delivery-timeout.e2e-spec.ts',
  '/test/clients.e2e-spec.ts',
];

const rank = (path) => {
  const i = SLOWEST_FIRST.findIndex((suffix) => path.replaceAll('\\', '/').endsWith(suffix));
  return i === -1 ? SLOWEST_FIRST.length : i;
};

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: within a rank, Jest's order stands.
    return [...ordered].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = SlowFirstSequencer;
