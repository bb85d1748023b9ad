import { availableParallelism } from 'node:os';

// users:import hashes clear passwords with argon2 on libuv's thread pool, which has 4 threads unless
// UV_THREADPOOL_SIZE says otherwise when the pool first starts: on a machine with more cores than
// that, the pool would cap the import. Imported first by cli/main.ts, before anything uses the pool.
// Not a setting of pxauth (AppConfig reads those): an instruction to libuv, as an operator's own wins.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));
