// What ctx.progress and ctx.log cost on the drain: N immediate jobs on a fresh store, drained by a handler that
// reports nothing ("none"), one progress value and one log line ("report"), or 10 lines ("chatty"). Trials alternate
// the modes; prints one JSON line per trial and the median drain rate per mode.
//   node bench/progress-logs.mjs [n=20000] [trials=3] [store=sqlite]   (store: sqlite or a postgres:// URL)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Kairos } from '../dist/index.js';

const n = Number(process.argv[2] ?? 20_000);
const trials = Number(process.argv[3] ?? 3);
const storeArg = process.argv[4] ?? 'sqlite';
const modes = {
  none: () => undefined,
  report: (ctx) => {
    ctx.progress(100);
    ctx.log('done');
  },
  chatty: (ctx) => {
    for (let i = 0; i < 10; i++) ctx.log(`step ${i}`);
  },
};

async function trial(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-progress-'));
  const schema = `bench_progress_${process.pid}_${Date.now()}`;
  const store = storeArg === 'sqlite' ? `sqlite:${join(dir, 'p.db')}` : `${storeArg}${storeArg.includes('?') ? '&' : '?'}schema=${schema}`;
  const kairos = await Kairos.open({ store });
  try {
    for (let k = 0; k < n; k += 1000) {
      const items = [];
      for (let i = k; i < Math.min(n, k + 1000); i++) items.push({ payload: { i } });
      await kairos.enqueueMany('bench', items);
    }
    let done = 0;
    let finish;
    const all = new Promise((r) => (finish = r));
    kairos.on('job:completed', () => {
      if (++done === n) finish();
    });
    kairos.handle('bench', async (_job, ctx) => void modes[mode](ctx));
    const t0 = performance.now();
    await kairos.start();
    await all;
    const ms = performance.now() - t0;
    await kairos.stop();
    return { mode, n, ms: Math.round(ms), jobsPerS: Math.round((n / ms) * 1000) };
  } finally {
    await kairos.close();
    rmSync(dir, { recursive: true, force: true });
    if (storeArg !== 'sqlite') {
      const client = new pg.Client({ connectionString: storeArg });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

const results = {};
for (let t = 0; t < trials; t++) {
  for (const mode of Object.keys(modes)) {
    const r = await trial(mode);
    console.log(JSON.stringify({ trial: t + 1, store: storeArg === 'sqlite' ? 'sqlite' : 'postgres', ...r }));
    (results[mode] ??= []).push(r.jobsPerS);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ medianJobsPerS: Object.fromEntries(Object.entries(results).map(([m, xs]) => [m, median(xs)])) }));
