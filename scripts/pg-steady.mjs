#!/usr/bin/env node
// Table health under steady churn on PostgreSQL (not part of `npm test`): one instance enqueues --rate jobs/s and
// drains them for --seconds, with retention short enough that the pruner deletes as fast as jobs finish. Every
// --report-every seconds it prints live and dead tuples and the size of each Kairos table (pg_stat_user_tables,
// pg_total_relation_size), and at the end one JSON line with those figures and the lateness of the jobs.
//
//   npm run build && node scripts/pg-steady.mjs [--seconds 300] [--rate 2000] [--retention-ms 30000]
//
// Uses KAIROS_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a fresh schema dropped at the end.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: o } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    rate: { type: 'string', default: '2000' },
    'retention-ms': { type: 'string', default: '30000' },
    'report-every': { type: 'string', default: '30' },
  },
});

const ROOT = new URL('../', import.meta.url).pathname;
const { Kairos } = await import(join(ROOT, 'dist/index.js'));
const URL_ = process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `kairos_steady_${Date.now().toString(36)}`;
const retentionMs = Number(o['retention-ms']);
const kairos = await Kairos.open({
  store: `${URL_}?schema=${schema}`, retentionMs, failedRetentionMs: retentionMs, pruneIntervalMs: 5_000, pruneBatchSize: 5_000,
});
const stats = new pg.Client({ connectionString: URL_ });
await stats.connect();

const lateness = [];
kairos.handle('steady', async (job) => {
  lateness.push(Date.now() - job.runAt.getTime());
});
await kairos.start();

async function health() {
  const r = await stats.query(
    `SELECT relname AS table, n_live_tup AS live, n_dead_tup AS dead, autovacuum_count AS autovacuums,
            pg_total_relation_size(relid) AS bytes
     FROM pg_stat_user_tables
     WHERE schemaname = $1
     ORDER BY relname`,
    [schema],
  );
  return r.rows.map((x) => ({ table: x.table, live: Number(x.live), dead: Number(x.dead), autovacuums: Number(x.autovacuums), MB: +(Number(x.bytes) / 1048576).toFixed(1) }));
}

const rate = Number(o.rate);
const started = Date.now();
let enqueued = 0;
let nextReport = started + Number(o['report-every']) * 1000;
const samples = [];
while (Date.now() - started < Number(o.seconds) * 1000) {
  const due = Math.floor(((Date.now() - started) / 1000) * rate) - enqueued;
  if (due > 0) {
    const n = Math.min(due, 1000);
    await kairos.enqueueMany('steady', Array.from({ length: n }, (_, i) => ({ payload: { i: enqueued + i } })));
    enqueued += n;
  } else {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (Date.now() >= nextReport) {
    const h = await health();
    samples.push({ atS: Math.round((Date.now() - started) / 1000), tables: h });
    process.stderr.write(`t=${samples.at(-1).atS}s ${h.map((t) => `${t.table} live ${t.live} dead ${t.dead} ${t.MB} MB`).join(' | ')}\n`);
    nextReport += Number(o['report-every']) * 1000;
  }
}
await kairos.stop();
const counts = await kairos.jobs.counts({ queue: 'steady' });
const sorted = [...lateness].sort((a, b) => a - b);
const p = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const result = {
  date: new Date().toISOString(), seconds: Number(o.seconds), rate, retentionMs, enqueued, ran: lateness.length,
  latenessMs: { p50: p(0.5), p99: p(0.99), max: sorted.at(-1) }, counts, final: await health(), samples,
};
console.log(JSON.stringify(result));
await kairos.close();
await stats.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await stats.end();
