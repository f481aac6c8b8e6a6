// One W1-shaped run against a given build: enqueue N immediate jobs (enqueueMany, chunks of 1,000) into a fresh
// SQLite file, then handle + start with default settings and drain. Prints one JSON line. For A/B comparisons of two
// builds, run it alternately against each build's dist/ directory (whole-process timing includes start-up).
//   node bench/drain.mjs [distDir=dist] [n=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const distDir = resolve(process.argv[2] ?? 'dist');
const n = Number(process.argv[3] ?? 20_000);
const { Kairos } = await import(pathToFileURL(join(distDir, 'index.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'kairos-drain-'));
try {
  const kairos = await Kairos.open({ store: `sqlite://${join(dir, 'drain.db')}` });
  const t0 = performance.now();
  for (let k = 0; k < n; k += 1000) {
    const items = [];
    for (let i = k; i < Math.min(n, k + 1000); i++) items.push({ payload: { i } });
    await kairos.enqueueMany('bench', items);
  }
  const enqueueMs = performance.now() - t0;
  let done = 0;
  let lastDone = 0;
  let finish;
  const all = new Promise((r) => { finish = r; });
  kairos.handle('bench', async () => {
    await Promise.resolve();
    lastDone = performance.now();
    if (++done === n) finish();
  });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  await kairos.start();
  await all;
  const drainMs = lastDone - t1;
  const cpu = process.cpuUsage(c1);
  await kairos.close();
  console.log(JSON.stringify({ n, enqueuePerSec: Math.round(n / (enqueueMs / 1000)), drainPerSec: Math.round(n / (drainMs / 1000)), drainMs: Math.round(drainMs), drainCpuUsPerJob: +((cpu.user + cpu.system) / n).toFixed(1) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
