// Two tiers (STYLE.md): unit specs beside the code, e2e suites under test/ that boot the real app.
// otplib 13 depends on ESM-only packages (@scure/base, @noble/hashes); Node 20.20 requires them
// natively, Jest's CommonJS runtime does not, so ts-jest transpiles those few to CommonJS.
const ESM_ONLY = ['@scure', '@noble', 'otplib', '@otplib'];
const common = {
  testEnvironment: 'node',
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
