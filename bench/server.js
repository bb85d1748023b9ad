// One pxauth process for the bench, started by bench/run.js with fork(): its CPU and memory are its
// own, apart from the load generator's. It answers the parent over IPC:
//   { cmd: 'usage' }                  -> process.cpuUsage() (every thread: libuv's argon2 workers too) and memory
//   { cmd: 'argon2', n, concurrency } -> n raw argon2id verifies in this process, and the CPU they took
//   { cmd: 'servedStart' | 'servedStop' } -> the server-side times of the 200 logins in between
require('reflect-metadata');
const argon2 = require('argon2');
const { readFileSync, writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const v8 = require('node:v8');
const { Writable } = require('node:stream');
const { startPxAuth } = require('../dist/server');
const { ARGON2_OPTIONS } = require('../dist/users/password-hasher');

/** CPU time of the event-loop thread alone (ns), from Linux's schedstat: argon2 runs on libuv's threads. */
const mainThreadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

/**
 * Peak resident memory (bytes): the kernel's own high-water mark (VmHWM), exact and free, where sampling
 * every few milliseconds would both miss short peaks and cost CPU in every measurement's window.
 */
const peakRssBytes = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
/** Restarts the high-water mark at the current resident size (Linux's clear_refs, value 5). */
const resetPeakRss = () => writeFileSync('/proc/self/clear_refs', '5');

async function main() {
  const env = JSON.parse(process.argv[2]);
  const px = await startPxAuth({ env, logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
  const hash = await argon2.hash('bench-raw', ARGON2_OPTIONS);
  // Logins answered 200, timed inside the server from the parsed request to the last byte written, while
  // asked to: the clients' latencies add the time a request waits to be read (the accept queue, a busy loop).
  let served = null;
  px.publicServer.on('request', (req, res) => {
    if (!served || req.url !== '/users/auth_token') return;
    const t0 = process.hrtime.bigint();
    res.on('finish', () => served && res.statusCode === 200 && served.push(Number(process.hrtime.bigint() - t0) / 1e6));
  });

  process.on('message', async (m) => {
    if (m.cmd === 'usage') {
      process.send({
        id: m.id,
        cpu: process.cpuUsage(),
        mainNs: mainThreadNs(),
        rss: process.memoryUsage.rss(),
        // V8's heap, its external memory and array buffers: what of the resident memory is JavaScript's.
        memory: m.memory ? process.memoryUsage() : undefined,
        peakRss: peakRssBytes(),
        // The monotonic clock V8's CPU profiles count in (microseconds): a window of a --cpu-prof profile.
        clockUs: Number(process.hrtime.bigint() / 1000n),
        // Wall time the event loop was not waiting for events (ms, cumulative): its CPU, and what blocked it.
        loopActiveMs: performance.eventLoopUtilization().active,
      });
    } else if (m.cmd === 'argon2') {
      const cpu0 = process.cpuUsage();
      const main0 = mainThreadNs();
      const t0 = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        Array.from({ length: m.concurrency }, async () => {
          while (next++ < m.n) await argon2.verify(hash, 'bench-raw');
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      const mainUs = (mainThreadNs() - main0) / 1000;
      process.send({
        id: m.id,
        cpuUs: cpu.user + cpu.system,
        mainUs,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      });
    } else if (m.cmd === 'servedStart') {
      served = [];
      process.send({ id: m.id });
    } else if (m.cmd === 'servedStop') {
      process.send({ id: m.id, ms: served ?? [] });
      served = null;
    } else if (m.cmd === 'resetPeak') {
      resetPeakRss();
      process.send({ id: m.id });
    } else if (m.cmd === 'close') {
      await px.close();
      process.send({ id: m.id });
      process.exit(0);
    }
  });
  process.send({
    ready: true,
    publicUrl: px.publicUrl,
    internalUrl: px.internalUrl,
    constrainedMemory: process.constrainedMemory(),
    heapLimit: v8.getHeapStatistics().heap_size_limit,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
