// W5: W2 repeated on a store that already holds a million future jobs (due uniformly in 1–30 days).
// The million is inserted (adapter.preloadFuture, enqueueMany chunks of 10,000) before the measured part starts;
// then the heap is collected (--expose-gc), the RSS peak is reset, and the W2 burst runs unchanged.
// Needs the Kairos-only adapter hook preloadFuture(); the shared harness has no W5.
import { burst, spec as w2 } from './w2.mjs';
import { median } from '../lib/stats.mjs';

const DAY = 86_400_000;

export const spec = {
  id: 'w5',
  title: 'W5 burst on a big store (W2 with future jobs already waiting: 1,000,000 unless --preload says otherwise)',
  n: w2.n,
  capS: w2.capS,
  preload: 1_000_000,
  preloadChunk: 10_000,
  trials: 1,
  timeoutS: 900,
  peers: false,
};

export async function run(ctx) {
  const { A, args, result, rss, gc } = ctx;
  if (typeof A.preloadFuture !== 'function') throw new Error(`adapter ${A.meta.name} has no preloadFuture(); W5 is not supported`);
  const count = Number(args.preload ?? spec.preload);
  const now = Date.now();
  const t0 = Date.now();
  await A.preloadFuture({ count, from: now + DAY, to: now + 30 * DAY, chunk: spec.preloadChunk });
  const ms = Date.now() - t0;
  const sampledPeak = rss.peakMB();
  const hwm = rss.hwmMB();
  gc();
  const mem = process.memoryUsage();
  result.preload = {
    count, chunk: spec.preloadChunk, dueInDays: [1, 30], ms, perSec: count / (ms / 1000),
    peakRssMB: sampledPeak, hwmMB: hwm, rssAfterGcMB: +(rss.sample() / 1048576).toFixed(1),
    // where the memory is after the preload: V8 heap (total/used), external buffers, and the rest (native: SQLite, malloc)
    memoryAfterGcMB: Object.fromEntries(Object.entries({ ...mem, native: mem.rss - mem.heapTotal - mem.external }).map(([k, v]) => [k, +(v / 1048576).toFixed(1)])),
  };
  rss.reset();
  await burst(ctx);
  result.peakRssAfterPreloadMB = rss.peakMB(); // sampled every 50 ms
  result.hwmAfterPreloadMB = rss.hwmMB(); // kernel high-water mark since the reset
}

export const metrics = [
  ['preloaded future jobs', (r) => r.preload?.count, 0],
  ['preload time (ms)', (r) => r.preload?.ms, 0],
  ['preload jobs/s', (r) => r.preload?.perSec, 0],
  ['enqueue time of the burst (ms)', (r) => r.enqueueMs, 0],
  ['T0 → last handler done (ms)', (r) => r.T0toLastDoneMs, 0],
  ['lateness p50 (ms)', (r) => r.lateness?.p50, 0],
  ['lateness p95 (ms)', (r) => r.lateness?.p95, 0],
  ['lateness p99 (ms)', (r) => r.lateness?.p99, 0],
  ['lateness max (ms)', (r) => r.lateness?.max, 0],
  ['jobs done at cap', (r) => r.doneAtCap, 0],
  ['RSS high-water mark during preload, kernel VmHWM (MB)', (r) => r.preload?.hwmMB, 1],
  ['RSS after preload + GC (MB)', (r) => r.preload?.rssAfterGcMB, 1],
  ['RSS high-water mark of the burst phase, kernel VmHWM after reset (MB)', (r) => r.hwmAfterPreloadMB, 1],
  ['peak RSS of the burst phase, sampled (MB)', (r) => r.peakRssAfterPreloadMB, 1],
  ['RSS high-water mark of the whole process, getrusage maxRSS (MB)', (r) => r.maxRssMB, 1],
  ['store file after the run (MB)', (r) => r.store?.dbMB, 1],
];

/** `other(id)` gives the lines of another workload for the same system and profile (here: W2 of this run). */
export function targets(rows, other) {
  const w2Median = median(other('w2').map((r) => r.T0toLastDoneMs));
  const counts = [...new Set(rows.map((r) => r.preload?.count))];
  const short = counts.some((c) => c !== spec.preload) ? `; preload ${counts.join('/')} jobs, not the ${spec.preload.toLocaleString('en-US')} of the definition` : '';
  return [
    {
      target: 'W5 T0 → last done within 1.1× of W2',
      values: rows.map((r) => (w2Median && r.T0toLastDoneMs != null ? r.T0toLastDoneMs / w2Median : null)),
      pass: (v) => v <= 1.1,
      decimals: 2,
      unit: '× W2 median',
      note: (w2Median ? `W2 median ${Math.round(w2Median)} ms` : 'no W2 line in this run') + short,
    },
    { target: 'W5 RSS ≤ 150 MB: whole trial process, preload included (OS high-water mark)', values: rows.map((r) => r.maxRssMB), pass: (v) => v <= 150, decimals: 1, unit: 'MB', note: short.slice(2) || undefined },
    { target: 'W5 RSS ≤ 150 MB: burst phase only, after preload + GC (kernel VmHWM)', values: rows.map((r) => r.hwmAfterPreloadMB ?? r.peakRssAfterPreloadMB), pass: (v) => v <= 150, decimals: 1, unit: 'MB', note: short.slice(2) || undefined },
  ];
}
