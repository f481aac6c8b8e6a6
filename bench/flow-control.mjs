// Flow-control figures (issue 8). Standalone: `npm run build && node bench/flow-control.mjs [--store sqlite|postgres|both]
// [--only gateway,hotkey,throughput]`. Prints a Markdown block for bench/RESULTS.md.
//
// 1. gateway: a loopback HTTP server that serves 3 calls at once, 100 ms each (a 4th concurrent call is refused with 429
//    and counted). 300 renewals plus sign-ups arriving at random (Poisson, ~1/s) go through one limiter
//    { concurrency: 3, lanes: { signup: { reserved: 1 } } }, with and without lending. Renewal makespan against the
//    ideal 300 × 100 ms ÷ 2 slots = 15 s, sign-up wait (start − enqueue) p50/p99.
// 2. hotkey: 20,000 jobs with partition keys, one hot key holding half of them; the other keys' wait p99 (start −
//    enqueue) with the hot key's jobs present against the same jobs without them.
// 3. throughput: drain 20,000 no-op jobs of a queue with a limiter that does not bind (concurrency 10,000) against
//    the same queue without one.
import { createServer } from 'node:http';
import { fetch } from 'undici';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kairos } from '../dist/index.js';
import { freshPostgresStore, pgAvailable } from '../dist/testing/postgres.js';
import { latencySummary } from './lib/stats.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const storeKinds = arg('store', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('store')];
const only = new Set(arg('only', 'gateway,hotkey,throughput').split(','));
const log = (s) => process.stderr.write(`${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openStore(kind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-flow-'));
    return { store: `sqlite:${join(dir, 'k.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  return freshPostgresStore();
}

/** The gateway: 3 calls at once, 100 ms each; more at once is refused (429) and counted. */
async function startGateway() {
  let inFlight = 0;
  let peak = 0;
  let refused = 0;
  const server = createServer((req, res) => {
    if (inFlight >= 3) {
      refused++;
      res.writeHead(429).end();
      return;
    }
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200).end('ok');
    }, 100);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/charge`;
  return { url, stats: () => ({ peak, refused }), close: () => new Promise((r) => server.close(r)) };
}

async function gateway(kind, lend) {
  const { store, cleanup } = await openStore(kind);
  const gw = await startGateway();
  const kairos = await Kairos.open({ store, pollIntervalMs: 1000 });
  try {
    await kairos.limiters.upsert({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } }, lend });
    await kairos.queues.upsert('renewals', { limiter: 'gateway', lane: 'renewal' });
    await kairos.queues.upsert('signups', { limiter: 'gateway', lane: 'signup' });
    const callMs = [];
    const call = async () => {
      const t = performance.now();
      const res = await fetch(gw.url, { method: 'POST' });
      if (res.status !== 200) throw new Error(`gateway said ${res.status}`);
      await res.text();
      callMs.push(performance.now() - t);
    };
    let renewalsDone = 0;
    let lastRenewal = 0;
    const signupWaits = [];
    const enqueuedAt = new Map();
    kairos.handle('renewals', async () => {
      await call();
      renewalsDone++;
      lastRenewal = performance.now();
    }, { concurrency: 10 });
    kairos.handle('signups', async (job) => {
      signupWaits.push(performance.now() - enqueuedAt.get(job.payload.n));
      await call();
    }, { concurrency: 10 });
    await kairos.enqueueMany('renewals', Array.from({ length: 300 }, (_, i) => ({ payload: { i } })));
    await kairos.start();
    const t0 = performance.now();
    let n = 0;
    // Sign-ups at random, about one a second, while the renewals run.
    while (renewalsDone < 300) {
      await sleep(-Math.log(1 - Math.random()) * 1000);
      if (renewalsDone >= 300) break;
      enqueuedAt.set(n, performance.now());
      await kairos.enqueue('signups', { n: n++ });
    }
    while (signupWaits.length < n) await sleep(10);
    const makespan = lastRenewal - t0;
    const w = latencySummary(signupWaits);
    const meanCall = callMs.reduce((a, b) => a + b, 0) / callMs.length;
    return { store: kind, lend, makespanMs: Math.round(makespan), efficiency: 15_000 / makespan, meanCall, efficiencyMeasured: (300 * meanCall) / 2 / makespan, signups: n, waitP50: w.p50, waitP99: w.p99, waitMax: w.max, ...gw.stats() };
  } finally {
    await kairos.close();
    await gw.close();
    await cleanup(false);
  }
}

/** Waits (start − enqueue) of the jobs of keys other than 'hot', with or without the hot key's 10,000 jobs. */
async function hotkey(kind, withHot) {
  const { store, cleanup } = await openStore(kind);
  const kairos = await Kairos.open({ store });
  try {
    const items = [];
    for (let i = 0; i < 10_000; i++) {
      if (withHot) items.push({ payload: { key: 'hot' }, partitionKey: 'hot' });
      const key = `u${Math.floor(Math.random() * 1000)}`;
      items.push({ payload: { key }, partitionKey: key });
    }
    const waits = [];
    let others = 0;
    let done;
    const all = new Promise((r) => (done = r));
    const t0 = performance.now();
    for (let k = 0; k < items.length; k += 1000) await kairos.enqueueMany('pushes', items.slice(k, k + 1000));
    kairos.handle('pushes', async (job) => {
      if (job.payload.key === 'hot') return;
      waits.push(performance.now() - t0);
      await sleep(1);
      if (++others === 10_000) done();
    }, { concurrency: 50 });
    await kairos.start();
    await all;
    const w = latencySummary(waits);
    return { store: kind, withHot, p50: Math.round(w.p50), p99: Math.round(w.p99) };
  } finally {
    await kairos.close({ timeoutMs: 100 });
    await cleanup(false);
  }
}

/** Jobs per second draining 20,000 no-op jobs, with a limiter that does not bind or without one. */
async function throughput(kind, limited) {
  const { store, cleanup } = await openStore(kind);
  const kairos = await Kairos.open({ store });
  try {
    const n = 20_000;
    if (limited) {
      await kairos.limiters.upsert({ id: 'wide', concurrency: 10_000 });
      await kairos.queues.upsert('drain', { limiter: 'wide' });
    }
    for (let k = 0; k < n; k += 1000) await kairos.enqueueMany('drain', Array.from({ length: 1000 }, (_, i) => ({ payload: { i: k + i } })));
    let done = 0;
    let finish;
    const all = new Promise((r) => (finish = r));
    kairos.handle('drain', async () => {
      if (++done === n) finish();
    });
    const t0 = performance.now();
    await kairos.start();
    await all;
    const ms = performance.now() - t0;
    return { store: kind, limited, perSec: Math.round(n / (ms / 1000)) };
  } finally {
    await kairos.close();
    await cleanup(false);
  }
}

const kinds = [];
for (const k of storeKinds) if (k === 'sqlite' || (await pgAvailable())) kinds.push(k);
const lines = [];
if (only.has('gateway')) {
  lines.push('| store | lend | renewal makespan | efficiency vs 15 s | mean call (client) | efficiency vs 300 × call ÷ 2 | sign-ups | sign-up wait p50 / p99 / max | gateway peak / refused |', '|---|---|---|---|---|---|---|---|---|');
  for (const kind of kinds) for (const lend of [false, true]) {
    log(`gateway ${kind} lend=${lend}`);
    const r = await gateway(kind, lend);
    lines.push(`| ${r.store} | ${r.lend ? 'on' : 'off'} | ${(r.makespanMs / 1000).toFixed(2)} s | ${(r.efficiency * 100).toFixed(1)} % | ${r.meanCall.toFixed(1)} ms | ${(r.efficiencyMeasured * 100).toFixed(1)} % | ${r.signups} | ${r.waitP50.toFixed(1)} / ${r.waitP99.toFixed(1)} / ${r.waitMax.toFixed(1)} ms | ${r.peak} / ${r.refused} |`);
  }
  lines.push('');
}
if (only.has('hotkey')) {
  lines.push('| store | other keys\' wait p50 / p99 without the hot key | with the hot key (10,000 of 20,000 jobs) | p99 change |', '|---|---|---|---|');
  for (const kind of kinds) {
    log(`hotkey ${kind}`);
    const base = await hotkey(kind, false);
    const hot = await hotkey(kind, true);
    lines.push(`| ${kind} | ${base.p50} / ${base.p99} ms | ${hot.p50} / ${hot.p99} ms | ${(((hot.p99 - base.p99) / base.p99) * 100).toFixed(1)} % |`);
  }
  lines.push('');
}
if (only.has('throughput')) {
  lines.push('| store | drain without a limiter | with a limiter (not binding) | ratio |', '|---|---|---|---|');
  for (const kind of kinds) {
    log(`throughput ${kind}`);
    const free = [];
    const lim = [];
    for (let t = 0; t < 2; t++) {
      free.push((await throughput(kind, false)).perSec);
      lim.push((await throughput(kind, true)).perSec);
    }
    const best = (xs) => Math.max(...xs);
    lines.push(`| ${kind} | ${best(free).toLocaleString('en-US')} jobs/s | ${best(lim).toLocaleString('en-US')} jobs/s | ${((best(lim) / best(free)) * 100).toFixed(1)} % |`);
  }
}
console.log(lines.join('\n'));
