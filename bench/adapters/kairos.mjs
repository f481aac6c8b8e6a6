// Kairos adapter, with the interface of the shared rivals' harness's adapters. The store is SQLite (default: a new
// file in a new temp directory per trial) or, with KAIROS_BENCH_STORE=postgres (`npm run bench -- --store postgres`),
// PostgreSQL at KAIROS_BENCH_DATABASE_URL / DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) in a fresh
// schema per trial, dropped at teardown.
//
// Profiles:
//   default  Kairos.open({ store }) and kairos.handle(queue, fn) with no options at all: the headline.
//   durable  as default, but the store URL asks for durability=full (synchronous=FULL: fsync on every commit).
//   tuned    engine config / handler options from KAIROS_BENCH_CONFIG and KAIROS_BENCH_HANDLE (JSON objects);
//            without them it is the same as default.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { repoRoot } from '../lib/paths.mjs';

// The built library: dist/, or the snapshot of it that run.mjs takes at the start of a run (KAIROS_BENCH_DIST), so
// that a rebuild by someone else during a long run does not change the engine between trials.
const { Kairos } = await import(pathToFileURL(process.env.KAIROS_BENCH_DIST ?? join(repoRoot, 'dist', 'index.js')).href);

const require = createRequire(import.meta.url);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

function sqliteVersion() {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version() AS v').get().v;
  } finally {
    db.close();
  }
}

const STORE = process.env.KAIROS_BENCH_STORE ?? 'sqlite';
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error(`KAIROS_BENCH_STORE must be sqlite or postgres, got ${STORE}`);
const PG_URL = process.env.KAIROS_BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const meta = {
  name: 'kairos',
  backend: STORE,
  version: readJson(join(repoRoot, 'package.json')).version,
  client: STORE === 'sqlite'
    ? `better-sqlite3 ${readJson(require.resolve('better-sqlite3/package.json')).version} (SQLite ${sqliteVersion()})`
    : `pg ${readJson(require.resolve('pg/package.json')).version}`,
};

const QUEUE = 'bench';
const STATE_NAMES = ['scheduled', 'running', 'completed', 'failed', 'cancelled', 'expired', 'skipped'];
const CHUNK = 1000;

function envJson(name) {
  const raw = process.env[name];
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`${name} must be a JSON object, got ${raw}`);
  }
}

export function settings(profile) {
  const base = {
    enqueueChunk: CHUNK, enqueueApi: 'kairos.enqueueMany(queue, items[])',
    store: STORE === 'sqlite' ? 'sqlite file in a fresh temp dir' : 'postgres, a fresh schema per trial (default pool)',
  };
  if (STORE === 'postgres' && profile === 'durable') throw new Error('the durable profile is SQLite-only (PostgreSQL commits are durable by default)');
  if (profile === 'default') return { ...base, storeOptions: 'defaults (durability=normal: WAL + synchronous=NORMAL, cacheMiB=16)', engineConfig: 'defaults', handleOptions: 'defaults (concurrency 100)' };
  if (profile === 'durable') return { ...base, storeOptions: 'durability=full (WAL + synchronous=FULL)', engineConfig: 'defaults', handleOptions: 'defaults (concurrency 100)' };
  if (profile === 'tuned') return { ...base, storeOptions: 'defaults', engineConfig: envJson('KAIROS_BENCH_CONFIG'), handleOptions: envJson('KAIROS_BENCH_HANDLE') };
  throw new Error(`unknown profile ${profile} (default | durable | tuned)`);
}

let S;
let dir;
let file;
let schema;
let kairos;

export async function setup({ settings: s }) {
  S = s;
  const config = typeof S.engineConfig === 'object' ? S.engineConfig : {};
  if (STORE === 'postgres') {
    schema = `kairos_bench_${Date.now().toString(36)}_${process.pid}`;
    kairos = await Kairos.open({ store: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, ...config });
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));
  file = join(dir, 'bench.db');
  const query = S.storeOptions.startsWith('durability=full') ? '?durability=full' : '';
  kairos = await Kairos.open({ store: `sqlite://${file}${query}`, ...config });
}

/** A query on the bench database, on a connection of its own (PostgreSQL only). */
async function withPg(fn) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function insertChunks(items, chunkSize) {
  for (let k = 0; k < items.length; k += chunkSize) await kairos.enqueueMany(QUEUE, items.slice(k, k + chunkSize));
}

export async function enqueueNow(n) {
  for (let k = 0; k < n; k += CHUNK) {
    const items = [];
    for (let i = k; i < Math.min(n, k + CHUNK); i++) items.push({ payload: { i } });
    await kairos.enqueueMany(QUEUE, items);
  }
}

export async function enqueueAt(dues) {
  await insertChunks(dues.map((due, i) => ({ payload: { i, due }, runAt: due })), CHUNK);
}

/**
 * Kairos-only (W5): `count` jobs due uniformly in [from, to) (epoch ms), inserted with enqueueMany in chunks of
 * `chunk`. Their payload has no `i`, so the tracker counts any of them that runs as unexpected.
 */
export async function preloadFuture({ count, from, to, chunk = 10_000 }) {
  await preloadFinished();
  for (let k = 0; k < count; k += chunk) {
    const items = [];
    for (let j = k; j < Math.min(count, k + chunk); j++) items.push({ payload: { future: j }, runAt: from + Math.floor(Math.random() * (to - from)) });
    await kairos.enqueueMany(QUEUE, items);
  }
}

/**
 * PostgreSQL only, with KAIROS_BENCH_FINISHED_ROWS=N: N completed jobs of another queue retained in the table before
 * the future jobs go in (W5 "with 10 million finished rows retained"), written by one INSERT … SELECT from
 * generate_series, then the table is vacuumed and analyzed as autovacuum would have done over the days they took.
 */
async function preloadFinished() {
  const rows = Number(process.env.KAIROS_BENCH_FINISHED_ROWS ?? 0);
  if (STORE !== 'postgres' || rows <= 0) return;
  const started = Date.now();
  await withPg(async (client) => {
    const jobs = `"${schema}".kairos_jobs`;
    const now = Date.now();
    for (let k = 0; k < rows; k += 1_000_000) {
      await client.query(
        `INSERT INTO ${jobs} (queue, state, payload, run_at, max_attempts, attempt, worker_id, started_at, finished_at, created_at, result)
         SELECT 'archive', 'completed', '{"i":0}', $1::bigint - g, 5, 1, 'bench', $1::bigint - g, $1::bigint - g + 5, $1::bigint - g, 'null'
         FROM generate_series($2::bigint, $3::bigint) AS g`,
        [now, k + 1, Math.min(rows, k + 1_000_000)],
      );
    }
    await client.query(`VACUUM (ANALYZE) ${jobs}`);
  });
  process.stderr.write(`preloaded ${rows} finished rows in ${Date.now() - started} ms\n`);
}

export async function startWorkers({ onJob }) {
  const options = typeof S.handleOptions === 'object' ? S.handleOptions : {};
  kairos.handle(QUEUE, async (job) => {
    await onJob(job.payload);
  }, options);
  await kairos.start();
}

export async function stopWorkers() {
  if (kairos) await kairos.stop();
}

// W4: a per-second cron schedule; the handler reports the occurrence instant the engine gives it.
export async function scheduleEverySecond({ onFire }) {
  kairos.handle('every-second', async (_job, ctx) => {
    onFire(ctx.schedule.occurrenceAt.getTime());
  });
  await kairos.schedules.upsert({ id: 'w4-every-second', queue: 'every-second', rule: { cron: '* * * * * *' } });
  await kairos.start();
  return {
    supported: true,
    mechanism: "kairos.schedules.upsert({ rule: { cron: '* * * * * *' } })",
    note: 'cron with a seconds field; nominal time = ctx.schedule.occurrenceAt',
    probe: false,
  };
}

/**
 * Kairos-only: what the store holds after stopWorkers() (which flushes completions), read from the file by a
 * second connection: jobs per state, completed jobs with attempt > 1, rows in kairos_attempts, file sizes.
 */
export async function inspectStore() {
  if (STORE === 'postgres') return inspectPostgres();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // States are stored as codes since migration 004 (src/driver/state-codes.ts), as names before it.
    const name = (state) => (typeof state === 'number' ? STATE_NAMES[state] : state);
    const states = Object.fromEntries(db.prepare('SELECT state, count(*) AS n FROM kairos_jobs GROUP BY state').all().map((r) => [name(r.state), r.n]));
    const rerun = db.prepare('SELECT state, attempt FROM kairos_jobs WHERE attempt <> 1').all().filter((r) => name(r.state) === 'completed').length;
    const attemptRows = db.prepare('SELECT count(*) AS n FROM kairos_attempts').get().n;
    const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
    return { states, completedWithAttemptNot1: rerun, attemptRows, dbMB: +(size(file) / 1048576).toFixed(1), walMB: +(size(`${file}-wal`) / 1048576).toFixed(1) };
  } finally {
    db.close();
  }
}

/** As inspectStore, on PostgreSQL: states through the store's own counts, attempts and table sizes by SQL. */
async function inspectPostgres() {
  // The bench queue only: W5 may have added retained rows of another queue (KAIROS_BENCH_FINISHED_ROWS).
  const counts = await kairos.jobs.counts({ queue: QUEUE });
  const states = {};
  for (const c of counts) states[c.state] = (states[c.state] ?? 0) + c.count;
  return withPg(async (client) => {
    const q = (sql) => client.query(sql).then((r) => r.rows[0]);
    const rerun = Number((await q(`SELECT count(*) AS n FROM "${schema}".kairos_jobs WHERE queue = '${QUEUE}' AND state = 'completed' AND attempt <> 1`)).n);
    const attemptRows = Number((await q(`SELECT count(*) AS n FROM "${schema}".kairos_attempts`)).n);
    const size = Number((await q(`SELECT sum(pg_total_relation_size(c.oid)) AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}'`)).b);
    return { states, completedWithAttemptNot1: rerun, attemptRows, schemaMB: +(size / 1048576).toFixed(1) };
  });
}

export async function teardown() {
  try {
    if (kairos) await kairos.close();
  } finally {
    kairos = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    if (schema) await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    schema = undefined;
  }
}
