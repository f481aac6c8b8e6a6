#!/usr/bin/env node
// What migration 010's job indexes ((queue, id) and two partial ones for rare final states) cost the hot path: W1-style enqueue of
// 20,000 jobs and their drain, with the indexes (as shipped) and with them dropped, in interleaved pairs.
//   npm run build && node bench/dashboard-index-cost.mjs [--store sqlite|postgres] [--pairs 6] [--jobs 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Kairos } from '../dist/index.js';

const { values: a } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' }, pairs: { type: 'string', default: '6' }, jobs: { type: 'string', default: '20000' } } });
const N = Number(a.jobs);
const PG_URL = process.env.KAIROS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DROPS = ['DROP INDEX kairos_jobs_queue_id', 'DROP INDEX kairos_jobs_rare_state', 'DROP INDEX kairos_jobs_queue_rare_state'];

async function trial(withIndexes) {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-idx-'));
  const schema = `kairos_idx_${process.pid}`;
  const pool = a.store === 'postgres' ? new pg.Pool({ connectionString: PG_URL }) : null;
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const kairos = await Kairos.open({ store: pool === null ? `sqlite:${join(dir, 'k.db')}` : `${PG_URL}?schema=${schema}` });
  if (!withIndexes) {
    if (pool === null) kairos.driver.connection.exec(DROPS.join(';'));
    else for (const d of DROPS) await pool.query(d.replace('DROP INDEX ', `DROP INDEX "${schema}".`));
  }
  let done = 0;
  let finish;
  const all = new Promise((resolve) => (finish = resolve));
  kairos.handle('w1', async () => {
    if (++done === N) finish();
  });
  let t = performance.now();
  for (let i = 0; i < N; i += 1000) await kairos.enqueueMany('w1', Array.from({ length: 1000 }, (_, k) => ({ payload: { i: i + k } })));
  const enqueueMs = performance.now() - t;
  t = performance.now();
  await kairos.start();
  await all;
  const drainMs = performance.now() - t;
  await kairos.close();
  rmSync(dir, { recursive: true, force: true });
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool?.end();
  return { enqueueMs, drainMs };
}

const rows = [];
for (let p = 0; p < Number(a.pairs); p++) {
  const order = p % 2 === 0 ? [true, false] : [false, true];
  const r = {};
  for (const w of order) r[w ? 'with' : 'without'] = await trial(w);
  rows.push(r);
  console.log(JSON.stringify(r));
}
const med = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ratio = (k) => med(rows.map((r) => r.with[k] / r.without[k]));
console.log(`median ratio with/without indexes over ${rows.length} pairs: enqueue ${ratio('enqueueMs').toFixed(2)}, drain ${ratio('drainMs').toFixed(2)}`);
console.log(`median drain jobs/s: with ${Math.round(N / (med(rows.map((r) => r.with.drainMs)) / 1000))}, without ${Math.round(N / (med(rows.map((r) => r.without.drainMs)) / 1000))}`);
