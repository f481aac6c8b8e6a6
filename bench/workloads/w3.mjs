// W3 precision at low load: workers started; N=300 jobs due uniformly at random in [now + 100 ms, now + 15.1 s].
// Reports lateness (handler start − due) percentiles. Cap 60 s after the last due time.

export const spec = {
  id: 'w3',
  title: 'W3 precision at low load (300 jobs due at random over 15 s)',
  n: 300,
  capS: 60, // after the last due time
  leadMs: 100,
  spreadMs: 15_000,
  trials: 3,
  timeoutS: 300,
  peers: true,
};

export async function run({ A, n, capS, result, jobs, sleep }) {
  await A.startWorkers({ onJob: jobs.onJob });
  const first = Date.now() + spec.leadMs;
  const dues = Array.from({ length: n }, () => first + Math.floor(Math.random() * spec.spreadMs));
  const enqueueStart = Date.now();
  await A.enqueueAt(dues);
  result.enqueueMs = Date.now() - enqueueStart;
  const lastDue = dues.reduce((a, b) => Math.max(a, b), 0);
  const complete = await jobs.whenDone(n, lastDue + capS * 1000);
  result.complete = complete;
  result.doneAtCap = jobs.done;
  result.lateness = jobs.latency();
  // The five latest jobs, to tell isolated outliers from clusters: when each was due (ms after the first due time)
  // and how many other jobs were due within 10 ms of it.
  result.worstLateness = jobs.worst(5).map(({ i, lateMs }) => ({
    i, lateMs, dueAtMs: dues[i] - first, dueWithin10ms: dues.filter((d, j) => j !== i && Math.abs(d - dues[i]) <= 10).length,
  }));
  await sleep(200);
  result.integrity = jobs.integrity(n);
}

export const metrics = [
  ['lateness p50 (ms)', (r) => r.lateness?.p50, 0],
  ['lateness p95 (ms)', (r) => r.lateness?.p95, 0],
  ['lateness p99 (ms)', (r) => r.lateness?.p99, 0],
  ['lateness max (ms)', (r) => r.lateness?.max, 0],
  ['lateness min (ms)', (r) => r.lateness?.min, 0],
];

export function targets(rows) {
  return [
    { target: 'W3 lateness p99 ≤ 5 ms', values: rows.map((r) => r.lateness?.p99), pass: (v) => v <= 5, decimals: 0, unit: 'ms' },
  ];
}
