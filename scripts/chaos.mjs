#!/usr/bin/env node
// Chaos run (not part of `npm test`): enqueue 50,000 jobs on a shared store, drain them with three `kairos work`
// processes while one of them is SIGKILLed every 2 s for 60 s, and restart the local PostgreSQL twice in immediate
// mode during the run. Prints lost jobs, duplicate starts (and whether each is explained by a killed process),
// and the time to drain. Run `npm run chaos -- --help` for the options.
//
// WARNING: with --restart-postgres (the default for a postgres:// store) this restarts the PostgreSQL cluster of this
// machine (`pg_ctlcluster <version> main restart -m immediate`); every client of it is disconnected.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: opts } = parseArgs({
  options: {
    store: { type: 'string', default: process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    jobs: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '3' },
    'kill-every-ms': { type: 'string', default: '2000' },
    'chaos-ms': { type: 'string', default: '60000' },
    'restart-postgres': { type: 'string', default: '2' },
    'lease-ms': { type: 'string', default: '5000' },
    'work-ms': { type: 'string', default: '5' },
    'drain-timeout-ms': { type: 'string', default: '300000' },
    help: { type: 'boolean', default: false },
  },
});

if (opts.help) {
  console.log(`npm run chaos -- [--store URL] [--jobs 50000] [--workers 3] [--kill-every-ms 2000] [--chaos-ms 60000]
                   [--restart-postgres 2] [--lease-ms 5000] [--work-ms 5] [--drain-timeout-ms 300000]

Drains --jobs jobs with --workers \`kairos work\` processes on --store while one worker is SIGKILLed (and replaced)
every --kill-every-ms for --chaos-ms. On a postgres:// store it also RESTARTS THIS MACHINE'S PostgreSQL cluster
--restart-postgres times (immediate mode, spread over the chaos window; 0 to skip). On a postgres:// store the jobs go
into a fresh schema (dropped at the end). Prints one JSON line with lost, duplicates and the time to drain.`);
  process.exit(0);
}

const ROOT = new URL('../', import.meta.url).pathname;
const MAIN = join(ROOT, 'dist/cli/main.js');
const HANDLERS = join(ROOT, 'scripts/chaos-handlers.mjs');
const N = Number(opts.jobs);
const isPostgres = /^postgres(ql)?:/i.test(opts.store);
const dir = mkdtempSync(join(tmpdir(), 'kairos-chaos-'));
const ledger = join(dir, 'ledger.txt');
const schema = `kairos_chaos_${Date.now().toString(36)}`;
const store = isPostgres ? `${opts.store}${opts.store.includes('?') ? '&' : '?'}schema=${schema}` : opts.store;

const { Kairos } = await import(join(ROOT, 'dist/index.js'));
const log = (msg) => process.stderr.write(`chaos: ${msg}\n`);

/** Workers that exited without being killed by this script (a crash on a PostgreSQL restart would show here). */
const unexpectedExits = [];

function startWorker() {
  const child = spawn(process.execPath, [MAIN, 'work', '--handlers', HANDLERS, '--queues', 'chaos', '--lease-ms', opts['lease-ms'], '--concurrency', '50'], {
    env: { ...process.env, KAIROS_DATABASE_URL: store, KAIROS_TEST_LEDGER: ledger, KAIROS_TEST_WORK_MS: opts['work-ms'], KAIROS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  child.exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => {
    if (!child.killedByChaos) unexpectedExits.push({ pid: child.pid, code, signal, stderr: stderr.slice(-300) });
    resolve();
  }));
  return child;
}

function restartPostgres() {
  const version = readdirSync('/etc/postgresql')[0];
  log(`restarting PostgreSQL ${version}/main (immediate)`);
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', '-m', 'immediate', version, 'main', 'restart'], { stdio: 'inherit' });
}

const setup = await Kairos.open({ store });
for (let i = 0; i < N; i += 5000) {
  await setup.enqueueMany('chaos', Array.from({ length: Math.min(5000, N - i) }, (_, k) => ({ payload: i + k })));
}
await setup.close();
log(`enqueued ${N} jobs on ${isPostgres ? `schema ${schema}` : store}`);

const started = Date.now();
const killed = new Set();
let workers = Array.from({ length: Number(opts.workers) }, startWorker);
let kills = 0;
const restarts = isPostgres ? Number(opts['restart-postgres']) : 0;
const chaosMs = Number(opts['chaos-ms']);
const restartAt = Array.from({ length: restarts }, (_, i) => started + ((i + 1) * chaosMs) / (restarts + 1));
while (Date.now() - started < chaosMs) {
  await new Promise((resolve) => setTimeout(resolve, Number(opts['kill-every-ms'])));
  const victim = workers[kills % workers.length];
  killed.add(victim.pid);
  victim.killedByChaos = true;
  victim.kill('SIGKILL');
  await victim.exitedPromise;
  workers = workers.map((w) => (w === victim ? startWorker() : w));
  kills++;
  if (restartAt.length > 0 && Date.now() >= restartAt[0]) {
    restartAt.shift();
    restartPostgres();
  }
}
const lastKill = Date.now();
log(`chaos over after ${kills} kills; draining`);

const check = await Kairos.open({ store });
let completed = 0;
while (Date.now() - lastKill < Number(opts['drain-timeout-ms'])) {
  try {
    completed = (await check.jobs.counts({ queue: 'chaos' })).find((c) => c.state === 'completed')?.count ?? 0;
  } catch (error) {
    log(`count failed (${error.message}); retrying`);
  }
  if (completed === N) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const drainedAt = Date.now();
const counts = await check.jobs.counts({ queue: 'chaos' });
await check.close();
for (const w of workers) {
  w.killedByChaos = true;
  w.kill('SIGTERM');
}
await Promise.all(workers.map((w) => w.exitedPromise));

const startsById = new Map();
for (const line of readFileSync(ledger, 'utf8').split('\n')) {
  const [kind, pid, id] = line.split(' ');
  if (kind !== 'start') continue;
  const list = startsById.get(Number(id)) ?? [];
  list.push(Number(pid));
  startsById.set(Number(id), list);
}
let duplicates = 0;
let unexplained = 0;
for (const pids of startsById.values()) {
  if (pids.length < 2) continue;
  duplicates += pids.length - 1;
  for (const pid of pids.slice(0, -1)) if (!killed.has(pid)) unexplained++;
}
const result = {
  date: new Date().toISOString(),
  store: isPostgres ? 'postgres' : store,
  jobs: N,
  workers: Number(opts.workers),
  kills,
  postgresRestarts: restarts,
  leaseMs: Number(opts['lease-ms']),
  completed,
  lost: N - startsById.size,
  notCompleted: N - completed,
  duplicateStarts: duplicates,
  duplicatesNotFromAKilledProcess: unexplained,
  drainMsAfterLastKill: drainedAt - lastKill,
  workerExitsNotCausedByChaos: unexpectedExits,
  totalMs: drainedAt - started,
  counts,
};
console.log(JSON.stringify(result));
appendFileSync(join(ROOT, 'bench/results-chaos.jsonl'), `${JSON.stringify(result)}\n`);
if (isPostgres) {
  const client = new pg.Client({ connectionString: opts.store });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
rmSync(dir, { recursive: true, force: true });
process.exit(result.lost === 0 && result.notCompleted === 0 && unexplained === 0 && unexpectedExits.length === 0 ? 0 : 1);
