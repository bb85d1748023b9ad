// One long-lived process that runs the built CLI's command lines (dist/cli/run.js, what dist/cli/main.js
// runs on its own process) as test/support/cli.ts sends them, one at a time, so that a suite pays for
// Node's start and the load of dist/ once instead of once per command (docs/testing.md). Each command
// line gets the environment a child process of its own would have (this process's, which is the Jest
// worker's, with the command's settings over it), its own stdin, and its own stdout and stderr, which
// also take whatever anything in the process writes on the real ones while it runs. Each command still
// boots the application context and closes it, as `pxauth <command>` does.
require('../../dist/cli/thread-pool');
require('reflect-metadata');
const { Readable, Writable } = require('node:stream');
const { runCli } = require('../../dist/cli/run');

/** A stream that keeps what is written to it. */
function capture() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

let current;
// console.log, a stray process.stdout.write: in a process of its own they would be the command's output.
for (const [name, pick] of [
  ['stdout', (c) => c.stdout],
  ['stderr', (c) => c.stderr],
]) {
  const real = process[name].write.bind(process[name]);
  process[name].write = (chunk, ...rest) => {
    if (!current) return real(chunk, ...rest);
    const callback = rest.find((a) => typeof a === 'function');
    return pick(current).stream.write(chunk, callback);
  };
}
// A rejection nobody handled would end a process of its own with its stack on stderr: it is shown
// on the stderr of the command that is running (or on this process's own), and the host goes on.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
});

async function run({ id, argv, env, input }) {
  const stdout = capture();
  const stderr = capture();
  current = { stdout, stderr };
  let code;
  try {
    code = await runCli(argv, {
      env: { ...process.env, ...env },
      stdin: Readable.from(input ? [Buffer.from(input)] : []),
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
  } catch (err) {
    stderr.stream.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    code = 1;
  } finally {
    current = undefined;
  }
  process.send({ id, code, stdout: stdout.text(), stderr: stderr.text() });
}

let queue = Promise.resolve();
process.on('message', (message) => {
  queue = queue.then(() => run(message));
});
// The suite's worker is gone, or done with it.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
