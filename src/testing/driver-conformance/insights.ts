/**
 * Conformance: what the dashboard reads through the seam: instance heartbeats (record, list, prune, delete), finished
 * jobs per minute with lateness, due jobs per minute, and the queue filter of jobList across states.
 */
import { describe, expect, it } from 'vitest';
import type { Driver } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

const MIN = 60_000;

/** Inserts a job due at `runAt`, claims it at `startAt` and finishes it at `endAt` in `state`. */
async function finished(d: Driver, runAt: number, startAt: number, endAt: number, state: 'completed' | 'failed', queue = 'q'): Promise<number> {
  const [r] = await d.jobInsertMany({ jobs: [newJob({ queue, runAt, maxAttempts: 1 })], now: runAt });
  const claimed = await d.jobClaim({ queue, limit: 10, owner: 'w', leaseMs: 60_000, now: startAt });
  const c = claimed.find((x) => x.id === r!.id)!;
  await d.jobFinishMany({ items: [{ id: c.id, owner: 'w', attempt: c.attempt, startedAt: startAt, outcome: state === 'completed' ? 'completed' : 'failed', state, countsAttempt: true }], now: endAt });
  return c.id;
}

export function insightConformance(target: ConformanceTarget): void {
  describe('instances and dashboard reads', () => {
    const driver = useDriver(target);

    it('instanceHeartbeat inserts then moves the heartbeat, keeping startedAt; list is latest first', async () => {
      await driver().instanceHeartbeat({ id: 'a', host: 'h1', pid: 10, queues: ['q'], now: T0 });
      await driver().instanceHeartbeat({ id: 'b', host: 'h2', pid: 20, queues: [], now: T0 + 5 });
      await driver().instanceHeartbeat({ id: 'a', host: 'h1', pid: 10, queues: ['q', 'r'], now: T0 + 10 });
      expect(await driver().instanceList()).toEqual([
        { id: 'a', host: 'h1', pid: 10, queues: '["q","r"]', startedAt: T0, heartbeatAt: T0 + 10 },
        { id: 'b', host: 'h2', pid: 20, queues: '[]', startedAt: T0 + 5, heartbeatAt: T0 + 5 },
      ]);
    });

    it('instanceHeartbeat without `now` uses the store clock', async () => {
      const before = await driver().now();
      await driver().instanceHeartbeat({ id: 'a', host: 'h', pid: 1, queues: [] });
      const [row] = await driver().instanceList();
      expect(row!.heartbeatAt).toBeGreaterThanOrEqual(before);
      expect(row!.heartbeatAt).toBeLessThanOrEqual(await driver().now());
    });

    it('instancePrune deletes stale instances only; instanceDelete forgets one', async () => {
      await driver().instanceHeartbeat({ id: 'old', host: 'h', pid: 1, queues: [], now: T0 });
      await driver().instanceHeartbeat({ id: 'new', host: 'h', pid: 2, queues: [], now: T0 + 60_000 });
      expect(await driver().instancePrune({ before: T0 + 1 })).toBe(1);
      expect((await driver().instanceList()).map((r) => r.id)).toEqual(['new']);
      expect(await driver().instanceDelete({ id: 'new' })).toBe(true);
      expect(await driver().instanceDelete({ id: 'new' })).toBe(false);
      expect(await driver().instanceList()).toEqual([]);
    });

    it('jobFinishedByMinute counts finished jobs per minute and state, with lateness, in [from, to)', async () => {
      await finished(driver(), T0, T0 + 100, T0 + 200, 'completed');
      await finished(driver(), T0 + 1_000, T0 + 1_300, T0 + 2_000, 'completed');
      await finished(driver(), T0 + 2_000, T0 + 2_000, T0 + 2_500, 'completed', 'other');
      await finished(driver(), T0 + MIN, T0 + MIN + 50, T0 + MIN + 60, 'failed');
      await finished(driver(), T0 + 3 * MIN, T0 + 3 * MIN, T0 + 3 * MIN + 1, 'completed');
      const rows = await driver().jobFinishedByMinute({ from: T0, to: T0 + 3 * MIN });
      expect(rows).toEqual([
        { minute: T0, queue: 'other', state: 'completed', count: 1, latenessAvgMs: 0, latenessMaxMs: 0 },
        { minute: T0, queue: 'q', state: 'completed', count: 2, latenessAvgMs: 200, latenessMaxMs: 300 },
        { minute: T0 + MIN, queue: 'q', state: 'failed', count: 1, latenessAvgMs: 50, latenessMaxMs: 50 },
      ]);
      expect(await driver().jobFinishedByMinute({ from: T0 + 10 * MIN, to: T0 + 20 * MIN })).toEqual([]);
    });

    it('jobFinishedByMinute counts a cancelled job that never started, with null lateness', async () => {
      const [r] = await driver().jobInsertMany({ jobs: [newJob({ runAt: T0 + MIN })], now: T0 });
      await driver().jobCancel({ id: r!.id, now: T0 + 10 });
      expect(await driver().jobFinishedByMinute({ from: T0, to: T0 + MIN })).toEqual([
        { minute: T0, queue: 'q', state: 'cancelled', count: 1, latenessAvgMs: null, latenessMaxMs: null },
      ]);
    });

    it('jobDueByMinute counts pending jobs per minute and queue in [from, to), and nothing else', async () => {
      await driver().jobInsertMany({
        jobs: [
          newJob({ queue: 'a', runAt: T0 + 5 }), newJob({ queue: 'a', runAt: T0 + 59_999 }), newJob({ queue: 'b', runAt: T0 + 10 }),
          newJob({ queue: 'a', runAt: T0 + 2 * MIN }), newJob({ queue: 'a', runAt: T0 - 1 }), newJob({ queue: 'a', runAt: T0 + 5 * MIN }),
        ],
        now: T0 - 10,
      });
      // A running job is not due any more: claim the one due before `from`.
      await driver().jobClaim({ queue: 'a', limit: 1, owner: 'w', leaseMs: 1000, now: T0 - 1 });
      expect(await driver().jobDueByMinute({ from: T0, to: T0 + 5 * MIN })).toEqual([
        { minute: T0, queue: 'a', count: 2 },
        { minute: T0, queue: 'b', count: 1 },
        { minute: T0 + 2 * MIN, queue: 'a', count: 1 },
      ]);
    });

    it('jobList by queue returns the queue newest first across states, in pages', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await finished(driver(), T0 + i, T0 + i, T0 + i + 1, i === 1 ? 'failed' : 'completed'));
      const pending = await driver().jobInsertMany({ jobs: [newJob({ runAt: T0 + MIN }), newJob({ queue: 'other', runAt: T0 })], now: T0 });
      ids.push(pending[0]!.id);
      const first = await driver().jobList({ queue: 'q', limit: 3 });
      expect(first.jobs.map((j) => j.id)).toEqual([...ids].reverse().slice(0, 3));
      const second = await driver().jobList({ queue: 'q', limit: 3, cursor: first.nextCursor! });
      expect(second.jobs.map((j) => j.id)).toEqual([ids[0]]);
      expect(second.nextCursor).toBeNull();
    });

    it('jobList by state and by queue and state pages newest first, for rare final states and common ones', async () => {
      const failed: number[] = [];
      const completed: number[] = [];
      for (let i = 0; i < 4; i++) failed.push(await finished(driver(), T0 + i, T0 + i, T0 + i + 1, 'failed', i % 2 === 0 ? 'a' : 'b'));
      for (let i = 0; i < 3; i++) completed.push(await finished(driver(), T0 + i, T0 + i, T0 + i + 1, 'completed', 'a'));
      const [c] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'a', runAt: T0 + MIN })], now: T0 });
      await driver().jobCancel({ id: c!.id, now: T0 });
      const page1 = await driver().jobList({ state: 'failed', limit: 3 });
      expect(page1.jobs.map((j) => j.id)).toEqual([...failed].reverse().slice(0, 3));
      const page2 = await driver().jobList({ state: 'failed', limit: 3, cursor: page1.nextCursor! });
      expect(page2.jobs.map((j) => j.id)).toEqual([failed[0]]);
      expect((await driver().jobList({ queue: 'a', state: 'failed', limit: 10 })).jobs.map((j) => j.id)).toEqual([failed[2], failed[0]]);
      expect((await driver().jobList({ queue: 'b', state: 'completed', limit: 10 })).jobs).toEqual([]);
      expect((await driver().jobList({ queue: 'a', state: 'completed', limit: 10 })).jobs.map((j) => j.id)).toEqual([...completed].reverse());
      expect((await driver().jobList({ state: 'cancelled', limit: 10 })).jobs.map((j) => [j.id, j.state])).toEqual([[c!.id, 'cancelled']]);
      // Running jobs, alone and per queue.
      await driver().jobInsertMany({ jobs: [newJob({ queue: 'a', runAt: T0 }), newJob({ queue: 'b', runAt: T0 })], now: T0 });
      const runA = await driver().jobClaim({ queue: 'a', limit: 5, owner: 'w', leaseMs: 60_000, now: T0 + 20 });
      const runB = await driver().jobClaim({ queue: 'b', limit: 5, owner: 'w', leaseMs: 60_000, now: T0 + 20 });
      expect((await driver().jobList({ state: 'running', limit: 10 })).jobs.map((j) => j.id)).toEqual([runB[0]!.id, runA[0]!.id]);
      expect((await driver().jobList({ queue: 'a', state: 'running', limit: 10 })).jobs.map((j) => j.id)).toEqual([runA[0]!.id]);
      // A replayed job leaves the failed list.
      await driver().jobReplay({ id: failed[3]!, now: T0 + 10 });
      expect((await driver().jobList({ state: 'failed', limit: 10 })).jobs.map((j) => j.id)).toEqual([failed[2], failed[1], failed[0]]);
    });
  });
}
