// W1 throughput: bulk-enqueue N immediate jobs (chunks of 1000), then start the workers and drain them.
// enqueue jobs/s = N / enqueue wall time; drain jobs/s = jobs done / (last handler done − worker start call).

export const spec = {
  id: 'w1',
  title: 'W1 throughput (N=20,000 immediate jobs, then drain)',
  n: 20_000,
  capS: 60, // drain cap after the worker start call
  trials: 3,
  timeoutS: 300, // the orchestrator kills the trial process after this
  peers: true, // the shared harness runs it too
};

export async function run({ A, n, capS, result, jobs, sleep }) {
  const enqueueStart = Date.now();
  await A.enqueueNow(n);
  const enqueueEnd = Date.now();
  result.enqueueMs = enqueueEnd - enqueueStart;
  result.enqueuePerSec = n / (result.enqueueMs / 1000);

  const workersStart = Date.now();
  await A.startWorkers({ onJob: jobs.onJob });
  const complete = await jobs.whenDone(n, workersStart + capS * 1000);
  const end = complete ? jobs.lastDoneAt : Date.now();
  result.complete = complete;
  result.drainMs = end - workersStart;
  result.drainPerSec = jobs.done / (result.drainMs / 1000);
  result.firstJobAfterStartMs = jobs.firstStartAt ? jobs.firstStartAt - workersStart : null;
  await sleep(200); // late duplicates show up in the integrity check
  result.integrity = jobs.integrity(n);
}

/** Rows of the summary table: [label, value of one result line, decimals]. */
export const metrics = [
  ['enqueue jobs/s', (r) => r.enqueuePerSec, 0],
  ['drain jobs/s', (r) => r.drainPerSec, 0],
  ['drain time (ms)', (r) => r.drainMs, 0],
  ['first job started after worker start (ms)', (r) => r.firstJobAfterStartMs, 0],
];

/** The targets for this workload; `rows` are the Kairos lines of this workload for one profile. */
export function targets(rows) {
  return [
    { target: 'W1 drain ≥ 70,000 jobs/s', values: rows.map((r) => r.drainPerSec), pass: (v) => v >= 70_000, decimals: 0, unit: 'jobs/s' },
    { target: 'W1 enqueue ≥ 150,000 jobs/s', values: rows.map((r) => r.enqueuePerSec), pass: (v) => v >= 150_000, decimals: 0, unit: 'jobs/s' },
  ];
}
