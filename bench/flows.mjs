// Flows figures against a build: a batch of N members drained until its completion job ran; a bulk cancel by tag of
// M jobs; a newest-first page of a rare tag among them. Prints one JSON line.
//   node bench/flows.mjs [distDir=dist] [store=sqlite:<tmp>] [n=10000] [m=100000]   (FLOWS_BENCH_ANALYZE=1: ANALYZE first on PostgreSQL)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const distDir = resolve(process.argv[2] ?? 'dist');
const dir = mkdtempSync(join(tmpdir(), 'kairos-flows-'));
const store = process.argv[3] ?? `sqlite:${join(dir, 'flows.db')}`;
const n = Number(process.argv[4] ?? 10_000);
const m = Number(process.argv[5] ?? 100_000);
const { Kairos } = await import(pathToFileURL(join(distDir, 'index.js')).href);

try {
  const kairos = await Kairos.open({ store });
  const t0 = performance.now();
  const batch = await kairos.batches.create('member', Array.from({ length: n }, (_, i) => ({ payload: i })), { completion: { queue: 'done', payload: {} } });
  const createMs = performance.now() - t0;
  let finish;
  const completed = new Promise((r) => { finish = r; });
  kairos.handle('member', async () => undefined);
  kairos.handle('done', async () => finish(performance.now()));
  const t1 = performance.now();
  await kairos.start();
  const doneAt = await completed;
  await kairos.stop();
  const progress = await kairos.batches.get(batch.id);

  for (let k = 0; k < m; k += 1000) {
    await kairos.enqueueMany('bulk', Array.from({ length: Math.min(1000, m - k) }, (_, i) => ({ payload: k + i, delayMs: 3_600_000, tags: (k + i) % 1000 === 0 ? ['rare', 'all'] : ['all'] })));
  }
  // Statistics as autovacuum would leave them after such a load (a fresh table's make the planner sort every match).
  if (store.startsWith('postgres') && process.env.FLOWS_BENCH_ANALYZE === '1') {
    const { default: pg } = await import('pg');
    const url = new URL(store);
    const schema = url.searchParams.get('schema') ?? 'kairos';
    url.search = '';
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    await client.query(`ANALYZE "${schema}".kairos_jobs; ANALYZE "${schema}".kairos_job_tags`);
    await client.end();
  }
  const t2 = performance.now();
  const page = await kairos.jobs.list({ tag: 'rare', limit: 50 });
  const rarePageMs = performance.now() - t2;
  const t3 = performance.now();
  const cancelled = await kairos.jobs.cancelMany({ tag: 'all' });
  const cancelMs = performance.now() - t3;
  await kairos.close();
  console.log(JSON.stringify({
    store: store.split(':')[0], batchMembers: n, batchCreateMs: Math.round(createMs), batchDrainToCompletionMs: Math.round(doneAt - t1),
    batchCompleted: progress.completed, rareTagPageMs: +rarePageMs.toFixed(1), rareTagPageRows: page.jobs.length,
    bulkCancelled: cancelled, bulkCancelPerSec: Math.round(cancelled / (cancelMs / 1000)),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
