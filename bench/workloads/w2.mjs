// W2 burst: workers started first (idle), then N jobs enqueued, all due at T0 = enqueue start + 5 s.
// Reports T0 → last handler done and lateness (handler start − due) percentiles. Cap 60 s after T0.

export const spec = {
  id: 'w2',
  title: 'W2 burst (N=10,000 due at T0 = enqueue start + 5 s)',
  n: 10_000,
  capS: 60, // after T0
  leadMs: 5_000,
  trials: 3,
  timeoutS: 300,
  peers: true,
};

/** The W2 measurement; W5 runs it again on a store that already holds a million future jobs. */
export async function burst({ A, n, capS, result, jobs, sleep }, leadMs = spec.leadMs) {
  await A.startWorkers({ onJob: jobs.onJob });
  const enqueueStart = Date.now();
  const T0 = enqueueStart + leadMs;
  await A.enqueueAt(new Array(n).fill(T0));
  const enqueueEnd = Date.now();
  result.enqueueMs = enqueueEnd - enqueueStart;
  result.enqueueFinishedBeforeT0 = enqueueEnd < T0;
  const complete = await jobs.whenDone(n, T0 + capS * 1000);
  result.complete = complete;
  result.T0toLastDoneMs = complete ? jobs.lastDoneAt - T0 : null;
  result.doneAtCap = jobs.done;
  result.lateness = jobs.latency();
  await sleep(200);
  result.integrity = jobs.integrity(n);
}

export const run = (ctx) => burst(ctx);

export const metrics = [
  ['enqueue time (ms)', (r) => r.enqueueMs, 0],
  ['T0 → last handler done (ms)', (r) => r.T0toLastDoneMs, 0],
  ['lateness p50 (ms)', (r) => r.lateness?.p50, 0],
  ['lateness p95 (ms)', (r) => r.lateness?.p95, 0],
  ['lateness p99 (ms)', (r) => r.lateness?.p99, 0],
  ['lateness max (ms)', (r) => r.lateness?.max, 0],
  ['lateness min (ms) = first start after T0', (r) => r.lateness?.min, 0],
  ['jobs done at cap', (r) => r.doneAtCap, 0],
];

export function targets(rows) {
  return [
    { target: 'W2 last job done ≤ 150 ms after T0', values: rows.map((r) => r.T0toLastDoneMs), pass: (v) => v <= 150, decimals: 0, unit: 'ms' },
  ];
}
