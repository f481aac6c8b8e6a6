#!/usr/bin/env node
// Dashboard figures (not a test): with 1,000,000 jobs in the store, the time the server takes to answer the jobs
// page (first page, each filter, a deep cursor page) and, over 10,000 schedules, the 24 h load forecast. Requests go
// over real HTTP on 127.0.0.1 to the dashboard plugin; each figure is the median and max of 15 warm requests. The
// plugin caches the forecast for 10 s and job counts for 5 s, so those are also timed uncached, in the library.
//
//   npm run bench:dashboard -- --store sqlite|postgres [--jobs 1000000] [--schedules 10000]
//
// The rows are seeded with one INSERT … SELECT per store (a bench shortcut: a million jobs through the API would
// take minutes and measure something else); the reads go through the dashboard, the engine and the Driver seam.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { fetch } from 'undici';
import { Kairos } from '../dist/index.js';
import { registerDashboard } from '../dist/service/dashboard/index.js';

const { values: a } = parseArgs({
  options: { store: { type: 'string', default: 'sqlite' }, jobs: { type: 'string', default: '1000000' }, schedules: { type: 'string', default: '10000' } },
});
const JOBS = Number(a.jobs);
const SCHEDULES = Number(a.schedules);
const PG_URL = process.env.KAIROS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'kairos_bench_dashboard';
const now = Date.now();
const QUEUES = 10;

// Mix: 60 % completed, 5 % failed, 5 % cancelled (all finished over the last 24 h), 30 % scheduled over the next 24 h.
// Queue q0 holds half of all jobs, the others share the rest (a realistic skew for the queue filter).
async function seedSqlite(file) {
  const db = new Database(file);
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${JOBS})
    INSERT INTO kairos_jobs (queue, state, payload, priority, run_at, attempt, max_attempts, created_at, started_at, finished_at, worker_id, tags)
    SELECT
      'q' || CASE WHEN i % 2 = 0 THEN 0 ELSE i % ${QUEUES} END,
      CASE WHEN i % 20 < 12 THEN 2 WHEN i % 20 = 12 THEN 3 WHEN i % 20 = 13 THEN 4 ELSE 0 END,
      '{"user":' || i || '}', 0,
      CASE WHEN i % 20 < 14 THEN ${now} - 86400000 + i * 86 / 1 % 86400000 ELSE ${now} + (i * 7919) % 86400000 END,
      CASE WHEN i % 20 < 12 OR i % 20 = 12 THEN 1 ELSE 0 END, 3,
      ${now} - 86400000 + (i * 86) % 86400000,
      CASE WHEN i % 20 <= 12 THEN ${now} - 86400000 + (i * 86) % 86400000 + i % 50 ELSE NULL END,
      CASE WHEN i % 20 < 14 THEN ${now} - 86400000 + (i * 86) % 86400000 + 100 ELSE NULL END,
      CASE WHEN i % 20 <= 12 THEN 'bench-worker' ELSE NULL END,
      NULL
    FROM n`);
  db.exec('ANALYZE');
  db.close();
}

async function seedPostgres(pool) {
  await pool.query(`
    INSERT INTO "${SCHEMA}".kairos_jobs (queue, state, payload, priority, run_at, attempt, max_attempts, created_at, started_at, finished_at, worker_id)
    SELECT
      'q' || CASE WHEN i % 2 = 0 THEN 0 ELSE i % ${QUEUES} END,
      CASE WHEN i % 20 < 12 THEN 'completed' WHEN i % 20 = 12 THEN 'failed' WHEN i % 20 = 13 THEN 'cancelled' ELSE 'scheduled' END,
      '{"user":' || i || '}', 0,
      CASE WHEN i % 20 < 14 THEN ${now}::bigint - 86400000 + (i::bigint * 86) % 86400000 ELSE ${now}::bigint + (i::bigint * 7919) % 86400000 END,
      CASE WHEN i % 20 <= 12 THEN 1 ELSE 0 END, 3,
      ${now}::bigint - 86400000 + (i::bigint * 86) % 86400000,
      CASE WHEN i % 20 <= 12 THEN ${now}::bigint - 86400000 + (i::bigint * 86) % 86400000 + i % 50 ELSE NULL END,
      CASE WHEN i % 20 < 14 THEN ${now}::bigint - 86400000 + (i::bigint * 86) % 86400000 + 100 ELSE NULL END,
      CASE WHEN i % 20 <= 12 THEN 'bench-worker' ELSE NULL END
    FROM generate_series(1, ${JOBS}) AS i`);
  await pool.query(`VACUUM ANALYZE "${SCHEMA}".kairos_jobs`);
}

/** 10,000 schedules: daily at spread times (a tenth of them at 15:15), hourly, every 15 min, weekdays, month ends. */
function scheduleDefinition(i) {
  const kind = i % 10;
  const rule =
    kind < 4 ? { cron: `${i % 60} ${(i >> 3) % 24} * * *`, tz: 'Asia/Seoul' }
      : kind === 4 ? { cron: '15 15 * * *', tz: 'UTC' }
        : kind < 7 ? { cron: `${i % 60} * * * *` }
          : kind === 7 ? { everyMs: 15 * 60_000, anchor: i * 1000 }
            : kind === 8 ? { cron: `0 9 * * 1-5`, tz: 'Europe/Paris' }
              : { cron: '0 9 L * *', tz: 'Asia/Seoul' };
  return { id: `s${i}`, queue: `q${i % QUEUES}`, rule, payload: { n: i } };
}

async function timeRequests(url, cookie, path, runs = 15) {
  const times = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const r = await fetch(`${url}/dashboard/api${path}`, { headers: { cookie } });
    const body = await r.text();
    const ms = performance.now() - t;
    status = r.status;
    bytes = body.length;
    if (i >= 2) times.push(ms);
  }
  times.sort((x, y) => x - y);
  return { path, status, bytes, medianMs: times[Math.floor(times.length / 2)], maxMs: times[times.length - 1] };
}

async function main() {
  let store;
  let cleanup = async () => undefined;
  let pool;
  if (a.store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-bench-dash-'));
    const file = join(dir, 'kairos.db');
    const k = await Kairos.open({ store: `sqlite:${file}` });
    await k.close();
    const t = performance.now();
    await seedSqlite(file);
    console.log(`seeded ${JOBS.toLocaleString('en-US')} jobs in ${Math.round(performance.now() - t)} ms`);
    store = `sqlite:${file}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    pool = new pg.Pool({ connectionString: PG_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}`;
    const k = await Kairos.open({ store: url });
    await k.close();
    const t = performance.now();
    await seedPostgres(pool);
    console.log(`seeded ${JOBS.toLocaleString('en-US')} jobs in ${Math.round(performance.now() - t)} ms`);
    store = url;
    cleanup = async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
      await pool.end();
    };
  }
  const kairos = await Kairos.open({ store });
  let t = performance.now();
  const defs = Array.from({ length: SCHEDULES }, (_, i) => scheduleDefinition(i));
  for (let i = 0; i < defs.length; i += 20) await Promise.all(defs.slice(i, i + 20).map((d) => kairos.schedules.upsert(d)));
  console.log(`upserted ${SCHEDULES.toLocaleString('en-US')} schedules in ${Math.round(performance.now() - t)} ms`);

  const secret = randomBytes(16).toString('hex');
  const hash = createHash('sha256').update(secret).digest('hex');
  const app = Fastify();
  await registerDashboard(app, {
    kairos, authenticate: async (k) => (createHash('sha256').update(k).digest('hex') === hash ? { id: 'bench', name: 'bench', scopes: ['admin'] } : null),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const signIn = await fetch(`${url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: secret }) });
  const cookie = signIn.headers.get('set-cookie').split(';')[0];

  const first = await (await fetch(`${url}/dashboard/api/jobs?limit=50`, { headers: { cookie } })).json();
  const deep = first.jobs[0].id - Math.floor(JOBS / 2);
  const paths = [
    '/jobs?limit=50',
    `/jobs?limit=50&cursor=${deep}`,
    '/jobs?limit=50&state=failed',
    '/jobs?limit=50&state=scheduled',
    // The worst case of a common state: none in the store, so the walk reads every row (docs/dashboard.md).
    '/jobs?limit=50&state=running',
    '/jobs?limit=50&state=expired',
    '/jobs?limit=50&queue=q0',
    '/jobs?limit=50&queue=q7',
    '/jobs?limit=50&queue=q7&state=scheduled',
    '/jobs?limit=50&queue=q0&state=failed',
    '/jobs?limit=50&queue=q7&state=failed',
    '/jobs?limit=50&queue=q7&state=running',
    `/jobs/${first.jobs[0].id}`,
    '/forecast?hours=24',
    '/schedules',
    '/queues',
    '/overview',
  ];
  const rows = [];
  for (const p of paths) {
    // Counts (queues, overview) are cached for 5 s by the plugin: after the wait the first (warm-up) request pays the
    // scan and the timed ones read the cache; the scan itself is timed on its own below (jobs.counts()).
    if (p === '/queues' || p === '/overview') await new Promise((r) => setTimeout(r, 5_100));
    rows.push(await timeRequests(url, cookie, p, p === '/queues' || p === '/overview' ? 3 : 15));
  }
  const parts = { due: [], list: [], forecast: [] };
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    await kairos.driver.jobDueByMinute({ from: now, to: now + 86_400_000 });
    parts.due.push(performance.now() - t);
    t = performance.now();
    await kairos.driver.scheduleList();
    parts.list.push(performance.now() - t);
    t = performance.now();
    await kairos.insights.forecast({ hours: 24 });
    parts.forecast.push(performance.now() - t);
  }
  const med = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)].toFixed(0);
  t = performance.now();
  const counts = await kairos.jobs.counts();
  const countsMs = performance.now() - t;
  console.log(`\n${a.store}: ${JOBS.toLocaleString('en-US')} jobs, ${SCHEDULES.toLocaleString('en-US')} schedules (Node ${process.version})\n`);
  console.log('| request | status | median ms | max ms | bytes |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| GET /dashboard/api${r.path} | ${r.status} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} | ${r.bytes.toLocaleString('en-US')} |`);
  console.log(`\nkairos.insights.forecast({ hours: 24 }) uncached, median of 5: ${med(parts.forecast)} ms (max ${Math.max(...parts.forecast).toFixed(0)}); of which jobDueByMinute over the pending jobs ${med(parts.due)} ms, scheduleList ${med(parts.list)} ms`);
  console.log(`jobs.counts() (the jobs-by-state scan behind /overview and /queues, cached 5 s): ${countsMs.toFixed(0)} ms over ${counts.length} rows`);
  await app.close();
  await kairos.close();
  await cleanup();
}

await main();
