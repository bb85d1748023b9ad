// node bench/profile-summary.js PROFILE.cpuprofile [fromUs toUs]: the functions with the most self time of a
// `node --cpu-prof` profile (the event loop's thread), within a window of V8's monotonic clock if given.
const { readFileSync } = require('node:fs');

function summary(file, fromUs = -Infinity, toUs = Infinity, top = 15) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    const dt = p.timeDeltas[i + 1] ?? 0;
    const n = byId.get(p.samples[i]);
    const cf = n.callFrame;
    const where = cf.url ? `${cf.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total / 1000, rows: rows.map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total })) };
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  const s = summary(file, from ? Number(from) : undefined, to ? Number(to) : undefined);
  console.log(`| function (self time) | ms | share |\n| --- | --- | --- |`);
  for (const r of s.rows) console.log(`| \`${r.fn}\` | ${r.ms.toFixed(0)} | ${(100 * r.share).toFixed(1)}% |`);
  console.log(`\nsampled: ${s.totalMs.toFixed(0)} ms`);
}

module.exports = { summary };
