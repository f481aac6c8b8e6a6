#!/usr/bin/env node
// W1 across processes: N jobs due at T0 (a few seconds ahead), drained by 1 and then by K `kairos work` processes
// started and ready before T0; reports jobs/s from T0 to the last completion and the scaling of K against 1.
//
//   npm run build && node bench/multi-instance.mjs [--store postgres|sqlite] [--jobs 20000] [--instances 1,3]
//                                                  [--trials 3] [--concurrency 100]
//
// PostgreSQL: KAIROS_BENCH_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test, a fresh
// schema per trial (dropped after). Prints one JSON line per trial and a summary table.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: o } = parseArgs({
  options: {
    store: { type: 'string', default: 'postgres' },
    jobs: { type: 'string', default: '20000' },
    instances: { type: 'string', default: '1,3' },
    trials: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '100' },
  },
});

const ROOT = new URL('../', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist/cli/main.js');
const HANDLERS = join(ROOT, 'bench/lib/noop-handlers.mjs');
const PG_URL = process.env.KAIROS_BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { Kairos } = await import(join(ROOT, 'dist/index.js'));
const N = Number(o.jobs);
const LEAD_MS = 4000;

function storeFor(trialId) {
  if (o.store === 'postgres') {
    const schema = `kairos_multi_${trialId}`;
    return { url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, drop: () => dropSchema(schema) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kairos-multi-'));
  return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

function startWorker(url) {
  const child = spawn(process.execPath, [MAIN, 'work', '--handlers', HANDLERS, '--queues', 'bench', '--concurrency', o.concurrency], {
    env: { ...process.env, KAIROS_DATABASE_URL: url, KAIROS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (err.includes('kairos work: ready')) {
        clearInterval(t);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`worker exited: ${err}`));
      }
    }, 10);
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, ready, exited };
}

async function trial(instances, t) {
  const id = `${Date.now().toString(36)}_${instances}_${t}`;
  const store = storeFor(id);
  const kairos = await Kairos.open({ store: store.url });
  const t0 = (await kairos.driver.now()) + LEAD_MS;
  for (let i = 0; i < N; i += 1000) {
    await kairos.enqueueMany('bench', Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ payload: { i: i + k }, runAt: t0 })));
  }
  const workers = Array.from({ length: instances }, () => startWorker(store.url));
  await Promise.all(workers.map((w) => w.ready));
  if ((await kairos.driver.now()) > t0) throw new Error('workers were not ready before T0; raise LEAD_MS');
  let done = 0;
  let lastAt = 0;
  while (done < N) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    done = (await kairos.jobs.counts({ queue: 'bench' })).find((c) => c.state === 'completed')?.count ?? 0;
    lastAt = await kairos.driver.now();
  }
  const seconds = (lastAt - t0) / 1000;
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await kairos.close();
  await store.drop();
  const line = { store: o.store, instances, trial: t, jobs: N, concurrencyPerInstance: Number(o.concurrency), drainMs: lastAt - t0, drainPerSec: Math.round(N / seconds) };
  console.log(JSON.stringify(line));
  return line;
}

const counts = o.instances.split(',').map(Number);
const rows = [];
for (let t = 1; t <= Number(o.trials); t++) for (const k of counts) rows.push(await trial(k, t));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(rows.filter((r) => r.instances === counts[0]).map((r) => r.drainPerSec));
console.log(`\n| instances | drain jobs/s, median (min–max) | vs ${counts[0]} |\n|---|---|---|`);
for (const k of counts) {
  const xs = rows.filter((r) => r.instances === k).map((r) => r.drainPerSec);
  console.log(`| ${k} | ${median(xs).toLocaleString('en-US')} (${Math.min(...xs).toLocaleString('en-US')}–${Math.max(...xs).toLocaleString('en-US')}) | ${(median(xs) / base).toFixed(2)}× |`);
}
