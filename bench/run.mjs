#!/usr/bin/env node
// `npm run bench`: builds (npm script), then runs every trial of every workload against Kairos, each trial in its
// own child process (bench/trial.mjs) on a fresh SQLite file; with --peers also the rivals, each trial through the
// shared harness's driver (../shared/bench-peers/bench.mjs) from a scratch install. Trials are interleaved (trial 1
// of everything, then trial 2, …). Before each trial it waits for the machine to be quiet (other processes below
// 0.2 CPU, at most --wait-quiet seconds) and records the CPU everything else used while the trial ran.
// Prints one JSON line per result on stdout, then a Markdown summary.
//
//   npm run bench                                 W1–W3 × 3 trials, W5 × 1 (all workloads in bench/workloads/)
//   npm run bench -- --quick                      1 trial of each (smoke)
//   npm run bench -- --peers --trials 1           also bullmq, pg-boss, graphile-worker (W1–W3, profiles tuned + c10)
//   npm run bench -- --workloads w1,w2 --profiles default,durable
//   node bench/run.mjs --report bench/results/run-….jsonl   re-render a summary from saved lines
//
// Flags:
//   --trials N          trials of every workload (default: each workload's own, 3 for W1–W3 and 1 for W5)
//   --quick             1 trial of every workload
//   --workloads a,b     workload ids (default: every file in bench/workloads/)
//   --profiles a,b      Kairos profiles: default (the headline, no tuning), durable, tuned (see adapters/kairos.mjs)
//   --store S           Kairos's store: sqlite (default) or postgres (KAIROS_BENCH_DATABASE_URL, else DATABASE_URL,
//                       else postgres://postgres@127.0.0.1:5432/test; a fresh schema per trial)
//   --peers             also run the rivals; --peer-names (default bullmq,pg-boss,graphile-worker),
//                       --peer-profiles (default tuned,c10), --peers-dir DIR (reuse an installed scratch copy)
//   --wait-quiet S      wait up to S seconds before each trial for other processes to go quiet (default 120; 0 = off)
//   --retry-noisy N     re-run a trial up to N times (default 2) when unrelated processes (not the trial, not the
//                       rivals' Redis/PostgreSQL) used more than --noise-cores CPUs (default 0.2) on average while
//                       it ran; the noisy attempt stays in the JSON lines with "discarded": "noisy", not in the table
//   --no-kairos         only the rivals
//   --no-schedules      skip the schedule benchmarks (bench/schedules/: next-occurrence time, 10,000 schedules);
//                       they also run only when --workloads is not given
//   --preload N         W5's future jobs (default 1,000,000)
//   --timeout S         cap of one trial process in seconds (default: the workload's timeoutS)
//   --out FILE          the cumulative JSON-lines file (default bench/results/raw.jsonl)
//   --report FILE…      only print the summary of saved JSON-lines files; --peers-from FILE (repeatable) adds
//                       the rivals' lines (not the Kairos ones) of another run
//
// Every run also writes bench/results/run-<stamp>.jsonl (its own lines) and run-<stamp>.md (its summary).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startCpuWatch, waitForQuiet } from './lib/cpu.mjs';
import { kairosBuild, machineInfo } from './lib/machine.mjs';
import { peerTrialArgv, preparePeers, removePeers } from './lib/peers.mjs';
import { benchDir, repoRoot, resultsDir, workloadsDir } from './lib/paths.mjs';
import { renderReport, summarize } from './lib/report.mjs';

// `--http`: the HTTP service benchmark (bench/http.mjs) instead of the workloads.
if (process.argv.includes('--http')) {
  const r = spawnSync(process.execPath, [new URL('./http.mjs', import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    trials: { type: 'string' },
    quick: { type: 'boolean', default: false },
    workloads: { type: 'string' },
    profiles: { type: 'string', default: 'default' },
    store: { type: 'string', default: 'sqlite' },
    peers: { type: 'boolean', default: false },
    'no-schedules': { type: 'boolean', default: false },
    'peer-names': { type: 'string', default: 'bullmq,pg-boss,graphile-worker' },
    'peer-profiles': { type: 'string', default: 'tuned,c10' },
    'peers-dir': { type: 'string' },
    'no-kairos': { type: 'boolean', default: false },
    preload: { type: 'string' },
    timeout: { type: 'string' },
    'wait-quiet': { type: 'string', default: '120' },
    'retry-noisy': { type: 'string', default: '2' },
    'noise-cores': { type: 'string', default: '0.2' },
    out: { type: 'string', default: join(resultsDir, 'raw.jsonl') },
    report: { type: 'boolean', default: false },
    'peers-from': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (a.help) {
  const src = readFileSync(new URL(import.meta.url), 'utf8');
  process.stdout.write(`${src.split('\n').slice(1).filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n')}\n`);
  process.exit(0);
}

/** Workload modules, by id order (w1, w2, …). Adding bench/workloads/w4.mjs adds W4. */
async function loadWorkloads() {
  const files = readdirSync(workloadsDir).filter((f) => /^w\d+\.mjs$/.test(f)).sort((x, y) => Number(x.slice(1, -4)) - Number(y.slice(1, -4)));
  return Promise.all(files.map((f) => import(pathToFileURL(join(workloadsDir, f)).href)));
}
const modules = await loadWorkloads();

const readLines = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

if (a.report) {
  if (!positionals.length) throw new Error('--report needs one or more JSON-lines files');
  const rows = positionals.flatMap((f) => readLines(resolve(f)));
  const extra = (a['peers-from'] ?? []).flatMap((f) => readLines(resolve(f)).filter((r) => r.peer !== 'kairos'));
  const sources = `${positionals.join(', ')}${extra.length ? `, and the rivals' lines of ${a['peers-from'].join(', ')}` : ''}`;
  process.stdout.write(`${renderReport([...rows, ...extra], modules, { header: [`Summary of ${sources}.`] })}\n`);
  process.exit(0);
}

if (a.store !== 'sqlite' && a.store !== 'postgres') throw new Error(`--store must be sqlite or postgres, got ${a.store}`);
// Every Kairos trial process inherits it (adapters/kairos.mjs reads it).
process.env.KAIROS_BENCH_STORE = a.store;

const byId = new Map(modules.map((m) => [m.spec.id, m]));
const chosen = (a.workloads ? a.workloads.split(',') : modules.map((m) => m.spec.id)).map((id) => {
  const m = byId.get(id.trim());
  if (!m) throw new Error(`unknown workload ${id} (have: ${[...byId.keys()].join(', ')})`);
  return m;
});
const profiles = a.profiles.split(',').map((p) => p.trim()).filter(Boolean);
const trialsOf = (m) => (a.trials ? Number(a.trials) : a.quick ? 1 : m.spec.trials);

const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
mkdirSync(resultsDir, { recursive: true });
const runFile = join(resultsDir, `run-${stamp}.jsonl`);
const outFile = resolve(a.out);
const rows = [];
const log = (s) => process.stderr.write(`${s}\n`);

function record(r) {
  const line = JSON.stringify(r);
  rows.push(r);
  process.stdout.write(`${line}\n`);
  appendFileSync(runFile, `${line}\n`);
  appendFileSync(outFile, `${line}\n`);
}

/**
 * One trial in a child process (after waiting for a quiet machine). Resolves with its result line, or a synthetic
 * error line when it printed none (crash, or killed at the cap); adds `harness` (wait, wall time, CPU of the
 * rest of the machine while it ran: the rivals' Redis/PostgreSQL servers, and any unrelated process).
 */
let currentChild = null;
async function runTrial({ argv, cwd, timeoutS, id }) {
  const quiet = await waitForQuiet({ maxWaitMs: Number(a['wait-quiet']) * 1000 });
  if (!quiet.quiet) log(`  (machine still busy after ${Math.round(quiet.waitedMs / 1000)} s: ${quiet.lastBusyCores} CPUs; running anyway)`);
  const watch = startCpuWatch();
  const t0 = Date.now();
  const { line, code, signal, timedOut } = await new Promise((done) => {
    const child = spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    currentChild = child;
    let out = '';
    let killed = false;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => process.stderr.write(String(d).replace(/^(?=.)/gm, '  [trial] ')));
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.on('close', (c, sig) => {
      clearTimeout(timer);
      const found = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!found) for (const l of out.split('\n')) if (l.trim()) process.stderr.write(`  [trial stdout] ${l}\n`);
      done({ line: found, code: c, signal: sig, timedOut: killed });
    });
  });
  const wallMs = Date.now() - t0;
  const r = line ? JSON.parse(line.slice(7)) : {
    ...id, tag: '', startedAt: new Date(t0).toISOString(),
    error: timedOut ? `trial process killed after the ${timeoutS} s cap` : `trial process exited without a result (code ${code}, signal ${signal})`,
  };
  const cpu = watch.stop();
  const unrelated = cpu.machineSec === null || r.nodeCpuSec == null ? null : Math.max(0, cpu.machineSec - r.nodeCpuSec - cpu.serversSec - cpu.kernelSec - cpu.selfSec);
  r.harness = {
    quietWaitMs: quiet.waitedMs,
    startedQuiet: quiet.quiet,
    processWallMs: wallMs,
    machineCpuSec: cpu.machineSec === null ? null : +cpu.machineSec.toFixed(2),
    serverCpuSec: +cpu.serversSec.toFixed(2),
    kernelThreadCpuSec: +cpu.kernelSec.toFixed(2),
    unrelatedCpuSec: unrelated === null ? null : +unrelated.toFixed(2),
  };
  r.harness.noisy = unrelated !== null && unrelated / (wallMs / 1000) > Number(a['noise-cores']);
  return r;
}

const plan = [];
const peerNames = a.peers ? a['peer-names'].split(',').map((x) => x.trim()).filter(Boolean) : [];
const peerProfiles = a['peer-profiles'].split(',').map((x) => x.trim()).filter(Boolean);
const maxTrials = Math.max(0, ...chosen.map(trialsOf));
for (let t = 1; t <= maxTrials; t++) {
  for (const m of chosen) {
    if (t > trialsOf(m)) continue;
    if (!a['no-kairos']) for (const p of profiles) plan.push({ kind: 'kairos', m, profile: p, peer: 'kairos', t });
    if (m.spec.peers) for (const p of m.spec.peerProfiles ?? peerProfiles) for (const peer of peerNames) plan.push({ kind: 'peer', m, profile: p, peer, t });
  }
}
log(`# ${plan.length} trial process(es): ${plan.filter((x) => x.kind === 'kairos').length} Kairos, ${plan.filter((x) => x.kind === 'peer').length} rivals (${peerNames.join(', ') || 'none'})`);
log(`# lines -> ${relative(repoRoot, runFile)} and ${relative(repoRoot, outFile)}`);

// Snapshot of dist/ for this run: other people rebuild dist/ while a long run goes on, and every trial process
// imports the library afresh. The snapshot sits under bench/results/ so that bare imports still resolve to the
// repository's node_modules.
let build = null;
let snapshot = null;
if (plan.some((x) => x.kind === 'kairos')) {
  snapshot = join(resultsDir, `.dist-${stamp}`);
  cpSync(join(repoRoot, 'dist'), snapshot, { recursive: true });
  build = kairosBuild(snapshot);
  process.env.KAIROS_BENCH_DIST = join(snapshot, 'index.js');
  log(`# Kairos build: ${build} (snapshot ${relative(repoRoot, snapshot)})`);
}

let peersDir;
let peersCreated = false;
const cleanUp = () => {
  if (peersCreated) removePeers(peersDir);
  if (snapshot) rmSync(snapshot, { recursive: true, force: true });
  peersCreated = false;
  snapshot = null;
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`# ${sig}: stopping`);
    if (currentChild && currentChild.exitCode === null) currentChild.kill('SIGKILL');
    cleanUp();
    process.exit(130);
  });
}

try {
  if (plan.some((x) => x.kind === 'peer')) {
    const prepared = await preparePeers(a['peers-dir'] ? resolve(a['peers-dir']) : undefined);
    peersDir = prepared.dir;
    peersCreated = prepared.created;
  }
  let k = 0;
  for (const { kind, m, profile, peer, t } of plan) {
    k++;
    const id = { peer, workload: m.spec.id, profile, trial: t };
    let argv;
    let cwd;
    if (kind === 'kairos') {
      argv = ['--expose-gc', join(benchDir, 'trial.mjs'), '--workload', m.spec.id, '--profile', profile, '--trial', String(t)];
      if (a.preload && m.spec.preload !== undefined) argv.push('--preload', a.preload);
      cwd = repoRoot;
    } else {
      argv = peerTrialArgv(peersDir, { peer, workload: m.spec.id, profile, trial: t });
      cwd = peersDir;
    }
    const timeoutS = Number(a.timeout ?? m.spec.timeoutS ?? 300);
    for (let attempt = 0; ; attempt++) {
      const r = await runTrial({ argv, cwd, timeoutS, id });
      if (kind === 'kairos') r.build = build;
      const retry = r.harness.noisy && !r.error && attempt < Number(a['retry-noisy']);
      if (retry) r.discarded = 'noisy';
      record(r);
      const h = r.harness;
      log(`[${k}/${plan.length}] ${m.spec.id} ${peer} ${profile} trial ${t} (${(h.processWallMs / 1000).toFixed(1)} s${h.quietWaitMs > 1500 ? `, waited ${(h.quietWaitMs / 1000).toFixed(0)} s for quiet` : ''}, CPU: servers ${h.serverCpuSec} s, unrelated ${h.unrelatedCpuSec ?? '?'} s): ${summarize(r)}${retry ? ' — NOISY, discarded, running it again' : ''}`);
      if (!retry) break;
    }
  }
} finally {
  cleanUp();
}

// Schedule benchmarks (issue 3): next-occurrence computation per rule, and 10,000 schedules firing on one minute.
// Each is its own program; their JSON lines and tables are appended to this run's summary.
let schedulesMd = '';
if (!a['no-kairos'] && !a['no-schedules'] && !a.workloads) {
  for (const [program, args] of [['next-occurrence.mjs', [a.quick ? '5000' : '20000']], ['many-schedules.mjs', ['10000', '1']]]) {
    log(`# schedules benchmark ${program} ${args.join(' ')}`);
    const out = await new Promise((resolveRun) => {
      const child = spawn(process.execPath, [join(benchDir, 'schedules', program), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('exit', () => resolveRun(text));
    });
    for (const line of out.split('\n').filter((l) => l.startsWith('{'))) appendFileSync(runFile, `${line}\n`);
    process.stdout.write(out);
    schedulesMd += `\n#### Schedules: ${program} ${args.join(' ')}\n\n${out.split('\n').filter((l) => !l.startsWith('{')).join('\n').trim()}\n`;
  }
}

const durationMin = ((Date.now() - started.getTime()) / 60000).toFixed(1);
const command = `node --expose-gc bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
const md = renderReport(rows, modules, {
  machine: machineInfo({ servers: a.peers, ...(build ? { build } : {}) }),
  header: [
    `Run ${started.toISOString()}, ${durationMin} min wall time. Command: \`${command}\`.`,
    `Cells are median (min–max) over trials; each trial ran in a fresh Node process on fresh state. Lines: \`${relative(repoRoot, runFile)}\`.`,
  ],
});
writeFileSync(join(resultsDir, `run-${stamp}.md`), `${md}\n${schedulesMd}`);
process.stdout.write(`\n${md}\n${schedulesMd}`);
log(`# done in ${durationMin} min; summary in ${relative(repoRoot, join(resultsDir, `run-${stamp}.md`))}`);
process.exit(rows.some((r) => r.error) ? 1 : 0);
