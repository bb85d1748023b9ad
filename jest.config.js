// Tiers (STYLE.md): unit specs beside the code; e2e suites under test/ that boot the real app, run
// once on SQLite and once on PostgreSQL (the `e2e-postgres` project, each app on a new database).
const { spawnSync } = require('node:child_process');

// otplib 13 depends on ESM-only packages (@scure/base, @noble/hashes); Node 20.20 requires them
// natively, Jest's CommonJS runtime does not, so ts-jest transpiles those few to CommonJS.
const ESM_ONLY = ['@scure', '@noble', 'otplib', '@otplib'];
const common = {
  testEnvironment: 'node',
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
};

// Suites about SQLite files or child processes on SQLite run once, in the SQLite project.
const SQLITE_ONLY = [
  '/test/cli\\.e2e-spec\\.ts$',
  '/test/process\\.e2e-spec\\.ts$',
  // A browser drives the pages; the engine underneath is tested by the other OAuth suites.
  '/test/oauth-browser\\.e2e-spec\\.ts$',
];
// The console in Chromium (its routes run on both engines in console.e2e-spec.ts).
SQLITE_ONLY.push('/test/console-browser\\.e2e-spec\\.ts$');
SQLITE_ONLY.push('/test/console-timeline-browser\\.e2e-spec\\.ts$'); // its pages run on both in console-timeline.e2e-spec.ts
SQLITE_ONLY.push('/test/console-search-browser\\.e2e-spec\\.ts$'); // its API runs on both in user-search.e2e-spec.ts
SQLITE_ONLY.push('/test/console-oidc-browser\\.e2e-spec\\.ts$'); // its routes run on both in console-oidc.e2e-spec.ts
SQLITE_ONLY.push('/test/console-banners-browser\\.e2e-spec\\.ts$'); // its routes run on both in console-banners.e2e-spec.ts
SQLITE_ONLY.push('/test/live-production\\.e2e-spec\\.ts$'); // a production process on SQLite
// The documentation's links and wording: no database involved, so once is enough.
SQLITE_ONLY.push('/test/docs\\.e2e-spec\\.ts$');
// The operator commands as child processes: the services they call run on both engines through the staff API
// (admin, roles, maintenance), and cli-operators and cli-import run the CLI itself on PostgreSQL.
SQLITE_ONLY.push('/test/cli-commands\\.e2e-spec\\.ts$');
// Suites that need PostgreSQL itself (several replicas on one database, an outage in the middle).
const POSTGRES_ONLY = ['/test/postgres/'];

const pgUrl = process.env.PXAUTH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgReachable =
  spawnSync(process.execPath, [
    '-e',
    `
  const u = new URL(process.argv[1]);
  const s = require('node:net').connect({ host: u.hostname, port: Number(u.port || 5432) }, () => process.exit(0));
  s.on('error', () => process.exit(1)); setTimeout(() => process.exit(1), 2000);`,
    pgUrl,
  ]).status === 0;

const projects = [
  { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
  {
    ...common,
    displayName: 'e2e-sqlite',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: POSTGRES_ONLY,
  },
];
if (pgReachable || process.env.CI) {
  // In CI the PostgreSQL suites always run: an unreachable server there is a failure, not a skip.
  projects.push({
    ...common,
    displayName: 'e2e-postgres',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: SQLITE_ONLY,
    setupFiles: ['<rootDir>/test/support/use-postgres.ts'],
  });
} else {
  console.warn(
    `\n*** SKIPPED the PostgreSQL suites: no server answers at ${pgUrl.replace(/\/\/[^@]*@/, '//')} (set PXAUTH_TEST_PG_URL). ***\n`,
  );
}

// `npm test` runs two workers (package.json), one per core: the suites share no port (the kernel picks
// every port), file (each app has its own temporary folder), PostgreSQL database (each app creates its
// own) or Redis key (each throttle test counts from an address of its own); docs/testing.md.
module.exports = { testTimeout: 60000, testSequencer: '<rootDir>/test/support/slow-first-sequencer.js', projects };
