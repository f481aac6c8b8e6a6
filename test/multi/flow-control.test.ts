/**
 * Flow control across real `kairos work` processes on one store: three workers serve a queue behind a shared limiter
 * (3 at once, 10 starts per second) with per-user partition keys, and one of them is SIGKILLed mid-run. From the
 * workers' ledger and the store's attempt history: concurrency never above 3 at any instant (a killed worker's attempts
 * end when it died; their slots come back when their leases expire), no one-second window with more than 10 starts,
 * one running job per key, in enqueue order, and every job done. Bounded: well under a minute.
 */
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';
import { STORE_TARGETS } from '../engine/helpers.js';
import { readLedger, stopAll, until, WorkerProcess } from './worker-process.js';

const shared = STORE_TARGETS.filter((t) => t.name !== 'sqlite' || process.env.KAIROS_MULTI_SQLITE === '1');
const LEASE_MS = 1_500;
const N = 40;
const KEYS = 5;

if (shared.length === 0) it.skip('multi-instance flow control needs a shared store (PostgreSQL)', () => undefined);

interface Interval { pid: number; id: number; key: string; start: number; end: number }

/** The attempts in the ledger as wall-time intervals; an attempt cut off by a kill ends at the kill. */
function intervals(file: string, killedAt: Map<number, number>): Interval[] {
  const open = new Map<string, Interval>();
  const out: Interval[] = [];
  for (const [kind, pid, id, key, at] of readLedger(file)) {
    const slot = `${pid} ${id}`;
    if (kind === 'gstart') open.set(slot, { pid: Number(pid), id: Number(id), key: key!, start: Number(at), end: Infinity });
    if (kind === 'gend') {
      const i = open.get(slot)!;
      open.delete(slot);
      out.push({ ...i, end: Number(at) });
    }
  }
  for (const i of open.values()) out.push({ ...i, end: killedAt.get(i.pid) ?? Infinity });
  return out;
}

function peak(list: readonly Interval[]): number {
  const events = list.flatMap((i) => [[i.start, 1], [i.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

for (const target of shared) describe(`flow control over three kairos work processes [${target.name}]`, () => {
  it('holds the limiter\'s concurrency and rate and the per-key order through a SIGKILL', async () => {
    const { store, cleanup } = await target.create();
    const dir = makeTempDir();
    const ledger = dir.file('ledger.txt');
    const setup = await Kairos.open({ store });
    await setup.limiters.upsert({ id: 'gateway', concurrency: 3, rate: { limit: 10, perMs: 1_000 } });
    await setup.queues.upsert('gated', { limiter: 'gateway' });
    const jobs = await setup.enqueueMany('gated', Array.from({ length: N }, (_, i) => ({ payload: { key: `u${i % KEYS}`, i }, partitionKey: `u${i % KEYS}` })));
    await setup.close();
    const options = { store, ledger, queues: 'gated', leaseMs: LEASE_MS, env: { KAIROS_TEST_WORK_MS: '150' } };
    const workers = await Promise.all([0, 1, 2].map(() => new WorkerProcess(options).ready()));
    const killedAt = new Map<number, number>();
    const check = await Kairos.open({ store });
    try {
      // Kill a worker while it holds slots.
      await until(() => readLedger(ledger).filter((l) => l[0] === 'gstart').length >= 8, 20_000, 'work under way');
      const victim = workers.find((w) => {
        const lines = readLedger(ledger).filter((l) => Number(l[1]) === w.pid);
        return lines.filter((l) => l[0] === 'gstart').length > lines.filter((l) => l[0] === 'gend').length;
      }) ?? workers[0]!;
      victim.kill('SIGKILL');
      await victim.exited;
      killedAt.set(victim.pid, Date.now());
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const done = (await check.jobs.counts({ queue: 'gated' })).find((c) => c.state === 'completed')?.count ?? 0;
        if (done === N) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await check.jobs.counts({ queue: 'gated' })).find((c) => c.state === 'completed')?.count).toBe(N);

      const all = intervals(ledger, killedAt);
      expect(peak(all)).toBeLessThanOrEqual(3);
      expect(peak(all)).toBe(3);
      // One attempt at a time per key, and each key's jobs finish in the order they were enqueued.
      for (let k = 0; k < KEYS; k++) {
        const mine = all.filter((i) => i.key === `u${k}`);
        expect(peak(mine)).toBe(1);
        const finished = mine.filter((i) => i.end !== killedAt.get(i.pid)).sort((a, b) => a.end - b.end).map((i) => i.id);
        expect(finished).toEqual(jobs.filter((_, i) => i % KEYS === k).map((j) => j.id));
      }
      // The rate, on the store's clock: every attempt's start, the cut-off ones included.
      const starts: number[] = [];
      for (const j of jobs) for (const a of (await check.jobs.get(j.id))!.attempts) starts.push(a.startedAt.getTime());
      starts.sort((a, b) => a - b);
      expect(starts.length).toBeGreaterThan(N);
      for (let i = 10; i < starts.length; i++) expect(starts[i]! - starts[i - 10]!).toBeGreaterThanOrEqual(1_000);
    } finally {
      await check.close();
      await stopAll(workers);
      dir.cleanup(false);
      await cleanup(false);
    }
  }, 60_000);
});
