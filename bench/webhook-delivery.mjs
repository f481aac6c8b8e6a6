// Signed webhook delivery on SQLite, through the built library (dist/): a receiver in its own process on 127.0.0.1
// answers 200 to every POST. Two figures (issue 9):
//   1. throughput: N jobs enqueued, then delivered by targetHandler — signed deliveries/s (goal ≥ 5,000/s);
//   2. lateness at a steady 100 deliveries/s: jobs due every 10 ms for S seconds — p99 of start − runAt and of
//      completed − runAt, ms (goal ≤ 20 ms).
//   npm run build && node bench/webhook-delivery.mjs [--n 20000] [--concurrency 128] [--seconds 10] [--rate 100]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.mjs';
import { repoRoot } from './lib/paths.mjs';
import { latencySummary } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '128' }, seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '100' } },
});
const N = Number(args.n);
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);

const { Kairos } = await import(join(repoRoot, 'dist/index.js'));
const { Deliverer, targetHandler } = await import(join(repoRoot, 'dist/service/targets/index.js'));

const RECEIVER = `
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { count++; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => { if (m === 'count') { const c = process.cpuUsage(); process.send({ count, cpuUs: c.user + c.system }); } if (m === 'exit') process.exit(0); });
`;

const dir = mkdtempSync(join(tmpdir(), 'kairos-webhook-bench-'));
writeFileSync(join(dir, 'receiver.cjs'), RECEIVER);
const receiver = fork(join(dir, 'receiver.cjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { port } = await new Promise((resolve) => receiver.once('message', resolve));
const ask = () => new Promise((resolve) => { receiver.once('message', (m) => resolve(m)); receiver.send('count'); });

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const spec = { kind: 'http', url: `http://127.0.0.1:${port}/hook`, secrets: [secret] };

async function open(name) {
  const kairos = await Kairos.open({ store: `sqlite:${join(dir, `${name}.db`)}` });
  const deliverer = new Deliverer({ allowHosts: ['127.0.0.1'] });
  kairos.handle('hooks', targetHandler(deliverer, () => spec), { concurrency: CONCURRENCY });
  return { kairos, deliverer };
}

async function throughput() {
  const { kairos, deliverer } = await open('throughput');
  for (let k = 0; k < N; k += 1000) {
    await kairos.enqueueMany('hooks', Array.from({ length: Math.min(1000, N - k) }, (_, i) => ({ payload: { n: k + i, text: 'hello', at: '2026-06-01T06:15:00Z' } })));
  }
  // Completion is polled, not counted by events: an event listener per job would slow the engine down.
  const finished = async () => {
    const counts = await kairos.jobs.counts({ queue: 'hooks' });
    return counts.filter((c) => c.state === 'completed' || c.state === 'failed').reduce((a, c) => a + c.count, 0);
  };
  let failed = 0;
  kairos.on('job:retrying', () => { failed++; });
  const before = await ask();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await kairos.start();
  // The receiver's count first (cheap, another process), then the store's (a count over the table) once all arrived.
  while ((await ask()).count - before.count < N) await new Promise((r) => setTimeout(r, 20));
  while ((await finished()) < N) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0;
  const done = (await kairos.jobs.counts({ queue: 'hooks' })).find((c) => c.state === 'completed')?.count ?? 0;
  const cpu = process.cpuUsage(cpu0);
  const after = await ask();
  const received = after.count - before.count;
  const kairosCpuUs = cpu.user + cpu.system;
  const receiverCpuUs = after.cpuUs - before.cpuUs;
  await kairos.close();
  await deliverer.close();
  return { n: N, completed: done, retried: failed, received, seconds: +(ms / 1000).toFixed(2), perSec: Math.round(done / (ms / 1000)),
    kairosCpuUsPerDelivery: +(kairosCpuUs / N).toFixed(1), receiverCpuUsPerDelivery: +(receiverCpuUs / N).toFixed(1),
    // What one core of Kairos could sustain with the CPU time it used (the receiver on the other core): a figure
    // that shared, busy machines disturb less than wall time.
    perCpuSec: Math.round(N / (kairosCpuUs / 1e6)) };
}

async function lateness() {
  const { kairos, deliverer } = await open('lateness');
  await kairos.start();
  const count = SECONDS * RATE;
  const step = 1000 / RATE;
  const t0 = Date.now() + 1_000;
  const due = new Map();
  const jobs = await kairos.enqueueMany('hooks', Array.from({ length: count }, (_, i) => ({ payload: { i }, runAt: new Date(t0 + Math.round(i * step)) })));
  jobs.forEach((j) => due.set(j.id, j.runAt.getTime()));
  const start = [];
  const end = [];
  let finish;
  const all = new Promise((r) => { finish = r; });
  kairos.on('job:started', (e) => start.push(e.startedAt.getTime() - due.get(e.id)));
  kairos.on('job:completed', (e) => { end.push(Date.now() - due.get(e.id)); if (end.length === count) finish(); });
  await all;
  await kairos.close();
  await deliverer.close();
  return { count, rate: RATE, start: latencySummary(start), completed: latencySummary(end) };
}

try {
  const date = new Date().toISOString();
  const loadBefore = loadavg();
  const t = await throughput();
  const l = await lateness();
  console.log(`# Webhook delivery (${date})`);
  for (const [k, v] of machineInfo()) console.log(`${k}: ${v}`);
  console.log(`command: node bench/webhook-delivery.mjs --n ${N} --concurrency ${CONCURRENCY} --seconds ${SECONDS} --rate ${RATE}`);
  console.log(`load average before the run: ${loadBefore.map((x) => x.toFixed(2)).join(', ')}`);
  console.log(`Kairos CPU per delivery ${t.kairosCpuUsPerDelivery} µs (= ${t.perCpuSec} deliveries per CPU-second), receiver ${t.receiverCpuUsPerDelivery} µs`);
  console.log(`throughput: ${t.completed}/${t.n} delivered in ${t.seconds} s = ${t.perSec} signed deliveries/s (receiver saw ${t.received}, retried ${t.retried}); goal ≥ 5,000/s ${t.perSec >= 5000 ? 'pass' : 'miss'}`);
  console.log(`lateness at ${l.rate}/s for ${l.count} jobs: start − runAt p50 ${l.start.p50} / p99 ${l.start.p99} / max ${l.start.max} ms; completed − runAt p50 ${l.completed.p50} / p99 ${l.completed.p99} / max ${l.completed.max} ms; goal p99 ≤ 20 ms ${l.completed.p99 <= 20 ? 'pass' : 'miss'}`);
  console.log(JSON.stringify({ throughput: t, lateness: l }));
} finally {
  receiver.send('exit');
  rmSync(dir, { recursive: true, force: true });
}
