#!/usr/bin/env node
// One trial of one workload against one adapter, in this process. Prints one line "RESULT <json>" on stdout and,
// with --out, appends the JSON to that file. bench/run.mjs starts one of these per trial (fresh process, fresh store).
//
//   node --expose-gc bench/trial.mjs --workload w2 [--peer kairos] [--profile default] [--trial 1]
//                                    [--n N] [--cap S] [--preload N] [--out file.jsonl] [--tag label]
//
// The JSON carries the same fields as the shared harness's lines (peer, version, backend, workload, profile, trial,
// tag, n, startedAt, node, host, settings, enqueueMs, enqueuePerSec, complete, drainMs, drainPerSec,
// firstJobAfterStartMs, T0toLastDoneMs, doneAtCap, lateness{count,p50,p95,p99,max,min}, integrity, nodeCpuSec,
// peakRssMB, maxRssMB, error) plus Kairos extras (client, store, workload-specific fields, wallMs).
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { adaptersDir, workloadsDir } from './lib/paths.mjs';
import { createJobTracker, createRssSampler } from './lib/tracker.mjs';

const { values: args } = parseArgs({
  options: {
    peer: { type: 'string', default: 'kairos' },
    workload: { type: 'string' },
    profile: { type: 'string', default: 'default' },
    trial: { type: 'string', default: '1' },
    n: { type: 'string' },
    cap: { type: 'string' },
    preload: { type: 'string' },
    out: { type: 'string' },
    tag: { type: 'string', default: '' },
  },
});

const wallStart = Date.now();
const cpuStart = process.cpuUsage();
const rss = createRssSampler(50);

if (!args.workload || !/^[a-z0-9-]+$/.test(args.workload)) throw new Error('--workload <id> is required (a file in bench/workloads/)');
const W = await import(pathToFileURL(join(workloadsDir, `${args.workload}.mjs`)).href);
const A = await import(pathToFileURL(join(adaptersDir, `${args.peer}.mjs`)).href);

const n = Number(args.n ?? W.spec.n);
const capS = Number(args.cap ?? W.spec.capS);
const result = {
  peer: args.peer,
  version: A.meta.version,
  backend: A.meta.backend,
  workload: W.spec.id,
  profile: args.profile,
  trial: Number(args.trial),
  tag: args.tag,
  n: Number.isFinite(n) ? n : undefined,
  startedAt: new Date(wallStart).toISOString(),
  node: process.version,
  host: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg1AtStart: +os.loadavg()[0].toFixed(2) },
  client: A.meta.client,
  settings: A.settings(args.profile, W.spec.id),
};

const jobs = createJobTracker();
const ctx = {
  A,
  n,
  capS,
  args,
  result,
  jobs,
  rss,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  gc: () => globalThis.gc?.(),
};

try {
  await A.setup({ profile: args.profile, workload: W.spec.id, settings: result.settings });
  await W.run(ctx);
} catch (e) {
  if (!e?.skip) result.error = String(e?.stack ?? e);
} finally {
  try {
    await A.stopWorkers?.();
  } catch (e) {
    result.stopError = String(e?.message ?? e);
  }
  // CPU and memory of the trial, taken before the store inspection (a second SQLite connection) adds its own.
  const cpu = process.cpuUsage(cpuStart);
  result.nodeCpuSec = +((cpu.user + cpu.system) / 1e6).toFixed(2);
  result.peakRssMB = rss.peakMB();
  result.maxRssMB = rss.osMaxMB(); // OS high-water mark of the whole process
  if (A.inspectStore && result.integrity && !result.error) {
    try {
      result.store = await A.inspectStore();
      result.store.ok = storeMatches(result);
    } catch (e) {
      result.store = { error: String(e?.message ?? e) };
    }
  }
  try {
    await A.teardown();
  } catch (e) {
    result.teardownError = String(e?.message ?? e);
  }
}

/** After a complete run the store must hold exactly the N completed jobs (first attempt) plus any preloaded ones. */
function storeMatches(r) {
  const s = r.store.states;
  const completed = s.completed ?? 0;
  const scheduled = s.scheduled ?? 0;
  const others = Object.entries(s).filter(([k]) => k !== 'completed' && k !== 'scheduled').reduce((a, [, v]) => a + v, 0);
  return completed === r.integrity.expected && scheduled === (r.preload?.count ?? 0) && others === 0
    && r.store.completedWithAttemptNot1 === 0 && r.store.attemptRows === 0;
}

result.wallMs = Date.now() - wallStart;
rss.stop();

const line = JSON.stringify(result);
process.stdout.write(`RESULT ${line}\n`);
if (args.out) {
  mkdirSync(dirname(resolve(args.out)), { recursive: true });
  appendFileSync(resolve(args.out), `${line}\n`);
}
process.exit(result.error ? 1 : 0);
