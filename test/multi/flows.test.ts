/**
 * Flows across real `kairos work` processes with a SIGKILL mid-way: ten batches of 100 members and 200 dependent
 * jobs over three workers racing to finish the last members; one worker is killed when 40 % of the members have
 * started. Every completion job and every dependent is released exactly once (one job each, run after every member or
 * its dependency ended; a second run only where the first was on the killed process). Bounded: about a minute.
 */
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';
import { STORE_TARGETS } from '../engine/helpers.js';
import { readLedger, stopAll, until, WorkerProcess } from './worker-process.js';

const shared = STORE_TARGETS.filter((t) => t.name !== 'sqlite' || process.env.KAIROS_MULTI_SQLITE === '1');
const LEASE_MS = 2_000;
const BATCHES = 10;
const MEMBERS = 100;
const PAIRS = 200;

if (shared.length === 0) it.skip('multi-instance flow tests need a shared store (PostgreSQL)', () => undefined);

for (const target of shared) describe(`flows on three kairos work processes [${target.name}]`, () => {
  it('batches and dependencies release exactly once while a worker is SIGKILLed', async () => {
    const { store, cleanup } = await target.create();
    const dir = makeTempDir();
    const ledger = dir.file('ledger.txt');
    const setup = await Kairos.open({ store });
    const batches = [];
    for (let b = 0; b < BATCHES; b++) {
      batches.push(await setup.batches.create('flowmember', Array.from({ length: MEMBERS }, (_, i) => ({ payload: i })), { completion: { queue: 'flowdone', payload: b } }));
    }
    const parents = await setup.enqueueMany('flowmember', Array.from({ length: PAIRS }, (_, i) => ({ payload: `p${i}` })));
    const children = [];
    for (const p of parents) children.push(await setup.enqueue('flowchild', { parent: p.id }, { dependsOn: [p.id] }));
    await setup.close();
    const total = BATCHES * MEMBERS + PAIRS;
    const options = { store, ledger, queues: 'flowmember,flowdone,flowchild', leaseMs: LEASE_MS, env: { KAIROS_TEST_WORK_MS: '20' } };
    const workers = await Promise.all([0, 1, 2].map(() => new WorkerProcess(options).ready()));
    const victim = workers[0]!;
    const check = await Kairos.open({ store });
    try {
      // Kill while the victim has a member in flight (started, not done), once 40 % of the members have started.
      const victimBusy = () => {
        const lines = readLedger(ledger);
        const done = new Set(lines.filter((l) => l[0] === 'done').map((l) => l[2]));
        return lines.filter((l) => l[0] === 'start').length >= total * 0.4
          && lines.some((l) => l[0] === 'start' && Number(l[1]) === victim.pid && !done.has(l[2]));
      };
      await until(victimBusy, 30_000, '40 % of the members started, one in flight on the victim');
      victim.kill('SIGKILL');
      await victim.exited;
      workers.push(await new WorkerProcess(options).ready());
      const deadline = Date.now() + 45_000;
      const finished = async () => {
        const counts = await check.jobs.counts();
        const n = (queue: string) => counts.find((c) => c.queue === queue && c.state === 'completed')?.count ?? 0;
        return n('flowdone') === BATCHES && n('flowchild') === PAIRS && n('flowmember') === total;
      };
      while (!(await finished()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await finished()).toBe(true);

      const lines = readLedger(ledger);
      const killed = victim.pid;
      // One completion job per batch, and it ran after every member ended.
      const doneQueue = (await check.jobs.list({ queue: 'flowdone', limit: 100 })).jobs;
      expect(doneQueue.map((j) => j.id).sort((a, b) => a - b)).toEqual(batches.map((b) => b.completionJobId).sort((a, b) => a - b));
      for (const b of batches) {
        expect(await check.batches.get(b.id)).toMatchObject({ total: MEMBERS, completed: MEMBERS, pending: 0, finished: true });
        const runs = lines.filter((l) => l[0] === 'complete' && Number(l[2]) === b.completionJobId);
        expect(runs.length).toBeGreaterThanOrEqual(1);
        for (const r of runs.slice(0, -1)) expect(Number(r[1])).toBe(killed);
        const completion = (await check.jobs.get(b.completionJobId))!;
        const members = (await check.jobs.list({ batchId: b.id, state: 'completed', limit: 1000 })).jobs.filter((j) => j.id !== b.completionJobId);
        expect(members).toHaveLength(MEMBERS);
        const lastEnd = Math.max(...members.map((m) => m.finishedAt!.getTime()));
        expect(completion.startedAt!.getTime()).toBeGreaterThanOrEqual(lastEnd);
      }
      // Each dependent: one job, run after its dependency completed.
      for (const c of children) {
        const child = (await check.jobs.get(c.id))!;
        const parent = (await check.jobs.get(child.dependsOn[0]!))!;
        expect(child.state).toBe('completed');
        expect(child.startedAt!.getTime()).toBeGreaterThanOrEqual(parent.finishedAt!.getTime());
        const runs = lines.filter((l) => l[0] === 'child' && Number(l[2]) === c.id);
        for (const r of runs.slice(0, -1)) expect(Number(r[1])).toBe(killed);
      }
      // The kill cut work short: every member the killed process started and never finished ran again elsewhere.
      const doneOnVictim = new Set(lines.filter((l) => l[0] === 'done' && Number(l[1]) === killed).map((l) => l[2]));
      const cutShort = lines.filter((l) => l[0] === 'start' && Number(l[1]) === killed && !doneOnVictim.has(l[2])).map((l) => l[2]!);
      if (cutShort.length === 0) console.warn('flows multi-process test: the SIGKILL found no member in flight on the victim');
      for (const id of cutShort) expect(lines.some((l) => l[0] === 'start' && l[2] === id && Number(l[1]) !== killed)).toBe(true);
    } finally {
      await check.close();
      await stopAll(workers);
      dir.cleanup(false);
      await cleanup(false);
    }
  }, 120_000);
});
