#!/usr/bin/env node
// `npm run bench -- --http`: enqueue over HTTP against `kairos serve` on a fresh SQLite file (or --store postgres),
// measured against a bare Fastify route that returns the same 202 body, in the same run (the ceiling). Both servers
// run at once in their own processes; --rounds alternating slices (bare, Kairos, …) of --seconds in all per server,
// after a 2 s warm-up, with --connections keep-alive connections (undici) and --inflight requests outstanding; then
// Kairos bulk (--batch jobs per request, --bulk-inflight requests outstanding, default 16) for --seconds. Each server's RSS is sampled every 100 ms from /proc.
// Prints JSON lines and a Markdown table.
//
//   npm run bench -- --http [--seconds 10] [--rounds 5] [--connections 32] [--inflight 128] [--batch 100] [--bulk-inflight 16] [--store sqlite|postgres]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { machineInfo } from './lib/machine.mjs';

const { values: a } = parseArgs({
  options: {
    http: { type: 'boolean', default: true },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    inflight: { type: 'string', default: '128' },
    batch: { type: 'string', default: '100' },
    store: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '5' },
    'bulk-inflight': { type: 'string', default: '16' },
  },
});
const seconds = Number(a.seconds);
const connections = Number(a.connections);
const inflight = Number(a.inflight);
const batch = Number(a.batch);

function rssMiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function startServer(args) {
  // The same Node flags as `npm start` (package.json): a young generation of 3 × 8 MiB keeps RSS bounded under load.
  const child = spawn(process.execPath, ['--max-semi-space-size=8', 'bench/http-server.mjs', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const info = JSON.parse(line);
  let peak = 0;
  const sampler = setInterval(() => {
    const r = rssMiB(child.pid);
    if (r !== null && r > peak) peak = r;
  }, 100);
  return {
    ...info,
    peakRss: () => peak,
    async stop() {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    },
  };
}

/** Keeps `inflight` requests outstanding for `ms`; returns completed requests and non-2xx answers. */
async function load(pool, makeRequest, ms, outstanding = inflight) {
  let done = 0;
  let bad = 0;
  const end = performance.now() + ms;
  const latencies = [];
  async function worker() {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request(makeRequest());
      await res.body.dump();
      if (res.statusCode !== 202) bad++;
      done++;
      if ((done & 63) === 0) latencies.push(performance.now() - t0);
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: outstanding }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((x, y) => x - y);
  return { requests: done, bad, elapsedS: elapsed, rps: done / elapsed, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? null };
}

function client(server, body, perRequest) {
  const pool = new Pool(server.url, { connections, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', ...(server.key ? { authorization: `Bearer ${server.key}` } : {}) };
  let n = 0;
  const make = () => ({ method: 'POST', path: perRequest > 1 ? '/v1/jobs/batch' : '/v1/jobs', headers, body: body(n++) });
  return { pool, make };
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

const single = (i) => JSON.stringify({ queue: 'bench', payload: { user: `u${i}`, text: 'hello' } });
const bulk = (i) => JSON.stringify({ queue: 'bench', jobs: Array.from({ length: batch }, (_, j) => ({ payload: { user: `u${i}-${j}`, text: 'hello' } })) });

const dir = mkdtempSync(join(tmpdir(), 'kairos-http-bench-'));
const store = a.store === 'postgres'
  ? `${process.env.KAIROS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'}?schema=bench_http_${Date.now()}`
  : `sqlite:${join(dir, 'kairos.db')}`;
const rows = [];
const rounds = Number(a.rounds);
try {
  // Both servers run at once and the slices alternate (bare, Kairos, bare, …), so a busy moment of the machine hits
  // both alike; each round's ratio is Kairos over the bare route of the same round.
  const bare = await startServer(['bare']);
  const kairos = await startServer(['kairos', store]);
  const bareClient = client(bare, single, 1);
  const kairosClient = client(kairos, single, 1);
  await load(bareClient.pool, bareClient.make, 2_000);
  await load(kairosClient.pool, kairosClient.make, 2_000);
  const bareR = [];
  const kairosR = [];
  for (let r = 0; r < rounds; r++) {
    bareR.push(await load(bareClient.pool, bareClient.make, (seconds * 1000) / rounds));
    kairosR.push(await load(kairosClient.pool, kairosClient.make, (seconds * 1000) / rounds));
    process.stdout.write(`${JSON.stringify({ round: r + 1, bareRps: Math.round(bareR[r].rps), kairosRps: Math.round(kairosR[r].rps), ratio: kairosR[r].rps / bareR[r].rps })}\n`);
  }
  await bareClient.pool.close();
  await kairosClient.pool.close();
  const ratio = median(kairosR.map((k, i) => k.rps / bareR[i].rps));
  const sum = (xs, k) => xs.reduce((t, x) => t + x[k], 0);
  rows.push({ phase: 'bare Fastify route (ceiling)', rps: median(bareR.map((x) => x.rps)), jobsPerS: median(bareR.map((x) => x.rps)), ratio: 1, p99Ms: median(bareR.map((x) => x.p99Ms)), bad: sum(bareR, 'bad'), peakRssMiB: Math.round(bare.peakRss()) });
  rows.push({ phase: 'Kairos: one job per request', rps: median(kairosR.map((x) => x.rps)), jobsPerS: median(kairosR.map((x) => x.rps)), ratio, p99Ms: median(kairosR.map((x) => x.p99Ms)), bad: sum(kairosR, 'bad'), peakRssMiB: Math.round(kairos.peakRss()) });
  const bulkClient = client(kairos, bulk, batch);
  const bulkInflight = Number(a['bulk-inflight']);
  await load(bulkClient.pool, bulkClient.make, 2_000, bulkInflight);
  const b = await load(bulkClient.pool, bulkClient.make, seconds * 1000, bulkInflight);
  await bulkClient.pool.close();
  rows.push({ phase: `Kairos: ${batch} jobs per request (batch, ${a['bulk-inflight']} in flight)`, rps: b.rps, jobsPerS: b.rps * batch, ratio: null, p99Ms: b.p99Ms, bad: b.bad, peakRssMiB: Math.round(kairos.peakRss()) });
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  await bare.stop();
  await kairos.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${new Date().toISOString()}; store ${a.store}; ${rounds} alternating rounds, ${seconds} s per server in all, ${connections} connections, ${inflight} in flight`);
for (const [k, v] of machineInfo()) console.log(`- ${k}: ${v}`);
console.log(`- load average at the end (1/5/15 min): ${loadavg().map((x) => x.toFixed(1)).join(' / ')} on ${cpus().length} CPUs`);
console.log('');
console.log('| phase | requests/s (median) | jobs/s | of the bare route (median of rounds) | p99 ms | non-202 | server peak RSS MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.phase} | ${Math.round(r.rps)} | ${Math.round(r.jobsPerS)} | ${r.ratio === null ? '-' : `${Math.round(r.ratio * 100)} %`} | ${r.p99Ms?.toFixed(1) ?? '-'} | ${r.bad} | ${r.peakRssMiB} |`);
}
