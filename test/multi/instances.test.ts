/**
 * Many instances on one shared store, as real `kairos work` processes: 20,000 jobs over three workers with one of
 * them SIGKILLed twice (nothing lost, every duplicate traceable to a killed process's lease); a per-second schedule on
 * three workers with one kill (every occurrence exactly one job); a completion from a process whose lease expired
 * while it was stopped is rejected. Bounded: about two minutes per store.
 */
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';
import { STORE_TARGETS } from '../engine/helpers.js';
import { readLedger, stopAll, until, WorkerProcess } from './worker-process.js';

/** Networked stores; SQLite joins with KAIROS_MULTI_SQLITE=1 (its two-process case is test/engine/schedule-multiprocess). */
const shared = STORE_TARGETS.filter((t) => t.name !== 'sqlite' || process.env.KAIROS_MULTI_SQLITE === '1');
const LEASE_MS = 2_000;

if (shared.length === 0) it.skip('multi-instance tests need a shared store (PostgreSQL)', () => undefined);

for (const target of shared) describe(`three kairos work processes [${target.name}]`, () => {
  it('drain 20,000 jobs while one worker is SIGKILLed twice: none lost, duplicates only from killed leases', async () => {
    const { store, cleanup } = await target.create();
    const dir = makeTempDir();
    const ledger = dir.file('ledger.txt');
    const N = 20_000;
    const setup = await Kairos.open({ store });
    await setup.enqueueMany('multi', Array.from({ length: N }, (_, i) => ({ payload: i })));
    await setup.close();
    const options = { store, ledger, queues: 'multi', leaseMs: LEASE_MS, env: { KAIROS_TEST_WORK_MS: '25' } };
    const workers = await Promise.all([0, 1, 2].map(() => new WorkerProcess(options).ready()));
    const killed = new Set<number>();
    const starts = () => readLedger(ledger).filter((l) => l[0] === 'start').length;
    let victim = workers[0]!;
    let lastKillAt = 0;
    for (const fraction of [0.25, 0.6]) {
      await until(() => starts() >= N * fraction, 60_000, `${fraction * 100} % of the jobs started`);
      victim.kill('SIGKILL');
      await victim.exited;
      lastKillAt = Date.now();
      killed.add(victim.pid);
      victim = await new WorkerProcess(options).ready();
      workers.push(victim);
    }
    const check = await Kairos.open({ store });
    try {
      const deadline = lastKillAt + LEASE_MS + 10_000;
      let completed = 0;
      while (Date.now() < deadline) {
        completed = (await check.jobs.counts({ queue: 'multi' })).find((c) => c.state === 'completed')?.count ?? 0;
        if (completed === N) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(completed).toBe(N);
      const doneAt = Date.now();
      expect(doneAt - lastKillAt).toBeLessThanOrEqual(LEASE_MS + 10_000);

      const startsById = new Map<number, number[]>();
      for (const [kind, pid, id] of readLedger(ledger)) {
        if (kind !== 'start') continue;
        const list = startsById.get(Number(id)) ?? [];
        list.push(Number(pid));
        startsById.set(Number(id), list);
      }
      expect(startsById.size).toBe(N);
      let duplicates = 0;
      for (const pids of startsById.values()) {
        if (pids.length === 1) continue;
        duplicates++;
        // Every start but the last was cut off by a kill: it ran on a killed process.
        for (const pid of pids.slice(0, -1)) expect(killed.has(pid)).toBe(true);
      }
      // The kills hit work in flight, so the test really exercised the rescue.
      expect(duplicates).toBeGreaterThan(0);
    } finally {
      await check.close();
      await stopAll(workers);
      dir.cleanup(false);
      await cleanup(false);
    }
  }, 180_000);

  it('a per-second schedule on three workers for 60 s, one killed: every occurrence becomes exactly one job', async () => {
    const { store, cleanup } = await target.create();
    const dir = makeTempDir();
    const ledger = dir.file('ledger.txt');
    const setup = await Kairos.open({ store });
    await setup.schedules.upsert({ id: 'every-second', queue: 'tick', rule: { cron: '* * * * * *' } });
    await setup.close();
    const options = { store, ledger, queues: 'tick', leaseMs: LEASE_MS };
    const workers = await Promise.all([0, 1, 2].map(() => new WorkerProcess(options).ready()));
    const started = Date.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, 20_000));
      workers[0]!.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 40_000));
    } finally {
      await stopAll(workers);
    }
    const check = await Kairos.open({ store });
    try {
      const history = await check.schedules.history('every-second', { limit: 1000 });
      const at = history.map((h) => h.occurrenceAt.getTime()).sort((a, b) => a - b);
      expect(new Set(at).size).toBe(at.length);
      expect(new Set(history.map((h) => h.jobId)).size).toBe(history.length);
      expect(history.every((h) => h.status === 'enqueued')).toBe(true);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBe(1_000);
      expect(at.length).toBeGreaterThanOrEqual(Math.floor((Date.now() - started) / 1000) - 5);
      // Runs: each occurrence ran, and ran twice only if its first run was on the killed worker.
      const runs = new Map<number, number[]>();
      for (const [kind, pid, occurrence] of readLedger(ledger)) {
        if (kind !== 'tick') continue;
        runs.set(Number(occurrence), [...(runs.get(Number(occurrence)) ?? []), Number(pid)]);
      }
      const ranEnough = at.filter((t) => runs.has(t));
      expect(ranEnough.length).toBeGreaterThanOrEqual(at.length - 2);
      for (const pids of runs.values()) for (const pid of pids.slice(0, -1)) expect(pid).toBe(workers[0]!.pid);
      // More than one process produced occurrences: the exactly-once guarantee was contended.
      expect(new Set([...runs.values()].map((p) => p.at(-1))).size).toBeGreaterThan(1);
    } finally {
      await check.close();
      dir.cleanup(false);
      await cleanup(false);
    }
  }, 150_000);

  it('a completion from a process whose lease expired while it was stopped is rejected', async () => {
    const { store, cleanup } = await target.create();
    const dir = makeTempDir();
    const ledger = dir.file('ledger.txt');
    const stale = await new WorkerProcess({ store, ledger, queues: 'slow', leaseMs: 1_000, env: { KAIROS_TEST_SLOW_MS: '1500' } }).ready();
    const other = await Kairos.open({ store, leaseMs: 5_000, rescueIntervalMs: 100 });
    try {
      const job = await other.enqueue('slow', {});
      await until(() => readLedger(ledger).some((l) => l[0] === 'start'), 15_000, 'the first worker started the job');
      stale.kill('SIGSTOP');
      // The stopped process cannot heartbeat; once its lease ends, this instance rescues and runs the job.
      other.handle('slow', async () => ({ by: 'rescuer' }));
      await other.start();
      const deadline = Date.now() + 15_000;
      while ((await other.jobs.get(job.id))!.state !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      stale.kill('SIGCONT');
      // The stale worker's handler now finishes and tries to complete the job it no longer holds.
      await until(() => readLedger(ledger).some((l) => l[0] === 'finished'), 15_000, 'the stale handler finished');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const detail = (await other.jobs.get(job.id))!;
      expect(detail).toMatchObject({ state: 'completed', result: { by: 'rescuer' }, attempt: 2 });
      expect(detail.attempts.map((a) => a.outcome)).toEqual(['lease-expired', 'completed']);
    } finally {
      stale.kill('SIGCONT');
      stale.kill('SIGTERM');
      await stale.exited;
      await other.close();
      dir.cleanup(false);
      await cleanup(false);
    }
  }, 60_000);
});
