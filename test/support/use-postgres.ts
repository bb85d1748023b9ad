// setupFiles of the `e2e-postgres` Jest project: the same suites, on PostgreSQL.
process.env.PXAUTH_TEST_DB = 'postgres';
