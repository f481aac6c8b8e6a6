/** Conformance: jobCancel, jobReplay, jobList paging, jobCounts, jobPrune. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

export function manageConformance(target: ConformanceTarget): void {
  describe('cancel, replay, list, prune', () => {
    const driver = useDriver(target);

    it('cancels pending and running jobs, by id and by key; a final job stays as it is', async () => {
      const [a, b] = await driver().jobInsertMany({ jobs: [newJob({ runAt: T0 + 1000 }), newJob({ key: 'k' })], now: T0 });
      expect(await driver().jobCancel({ id: a!.id, now: T0 })).toMatchObject({ previousState: 'scheduled', cancelled: true });
      await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
      expect(await driver().jobCancel({ queue: 'q', key: 'k', now: T0 + 5 })).toMatchObject({ id: b!.id, previousState: 'running', cancelled: true, owner: 'w', attempt: 1 });
      expect((await driver().attemptListByJob({ jobId: b!.id }))[0]).toMatchObject({ outcome: 'cancelled', finishedAt: T0 + 5 });
      expect(await driver().jobCancel({ id: a!.id, now: T0 })).toMatchObject({ cancelled: false, previousState: 'cancelled' });
      expect(await driver().jobCancel({ queue: 'q', key: 'missing', now: T0 })).toBeNull();
      expect(await driver().jobCancel({ id: 999_999, now: T0 })).toBeNull();
    });

    it('replays a final job with the same id; a completed attempt moves into the history', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ maxAttempts: 1 })], now: T0 });
      const [c] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
      await driver().jobFinishMany({ items: [{ id: c!.id, owner: 'w', attempt: 1, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true }], now: T0 + 3 });
      const completing = { jobId: a!.id, attempt: 1, workerId: 'w', startedAt: T0, finishedAt: T0 + 3, outcome: 'completed', error: null, note: null };
      // The attempt that completed the job is in its history before and after the replay.
      expect(await driver().attemptListByJob({ jobId: a!.id })).toEqual([completing]);
      const row = await driver().jobReplay({ id: a!.id, now: T0 + 10 });
      expect(row).toMatchObject({ id: a!.id, state: 'scheduled', runAt: T0 + 10, attempt: 1, maxAttempts: 2, finishedAt: null });
      expect(await driver().attemptListByJob({ jobId: a!.id })).toEqual([completing]);
      await expect(driver().jobReplay({ id: a!.id, now: T0 })).rejects.toMatchObject({ code: 'JOB_STATE_CONFLICT' });
      await expect(driver().jobReplay({ id: 999_999, now: T0 })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    });

    it('refuses to replay a job whose key another job has taken since', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
      await driver().jobCancel({ id: a!.id, now: T0 });
      await driver().jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
      await expect(driver().jobReplay({ id: a!.id, now: T0 })).rejects.toMatchObject({ code: 'DUPLICATE_KEY', details: { field: 'key' } });
      expect((await driver().jobGet({ id: a!.id }))!.state).toBe('cancelled');
    });

    it('replaying an expired job drops its deadline', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ runAt: T0, deadline: T0 })], now: T0 });
      await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 + 1 });
      expect(await driver().jobReplay({ id: a!.id, now: T0 + 2 })).toMatchObject({ state: 'scheduled', deadline: null });
    });

    it('counts jobs by queue and state, for every queue or one', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ queue: 'a' }), newJob({ queue: 'a' }), newJob({ queue: 'b', runAt: T0 + 1000 })], now: T0 });
      await driver().jobClaim({ queue: 'a', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
      const sorted = (rows: { queue: string; state: string; count: number }[]) => [...rows].sort((x, y) => `${x.queue}${x.state}`.localeCompare(`${y.queue}${y.state}`));
      expect(sorted(await driver().jobCounts())).toEqual([
        { queue: 'a', state: 'running', count: 1 }, { queue: 'a', state: 'scheduled', count: 1 }, { queue: 'b', state: 'scheduled', count: 1 },
      ]);
      expect(await driver().jobCounts({ queue: 'b' })).toEqual([{ queue: 'b', state: 'scheduled', count: 1 }]);
      expect(await driver().jobCounts({ queue: 'none' })).toEqual([]);
    });

    it('lists newest first with a cursor, filtered by queue and state', async () => {
      await driver().jobInsertMany({ jobs: Array.from({ length: 5 }, (_, i) => newJob({ queue: i % 2 === 0 ? 'even' : 'odd' })), now: T0 });
      const p1 = await driver().jobList({ limit: 2 });
      expect(p1.jobs.map((j) => j.id)).toEqual([5, 4].map((n) => p1.jobs[0]!.id - 5 + n));
      const p2 = await driver().jobList({ limit: 2, cursor: p1.nextCursor! });
      expect(p2.jobs[0]!.id).toBe(p1.jobs[1]!.id - 1);
      const even = await driver().jobList({ limit: 10, queue: 'even' });
      expect(even.jobs).toHaveLength(3);
      expect(even.nextCursor).toBeNull();
      expect((await driver().jobList({ limit: 10, queue: 'even', state: 'running' })).jobs).toHaveLength(0);
      expect((await driver().jobList({ limit: 10, state: 'scheduled' })).jobs).toHaveLength(5);
    });

    it('prunes finished jobs past retention, failed ones on their own cut-off, with their attempts', async () => {
      const ids = (await driver().jobInsertMany({ jobs: [newJob(), newJob(), newJob({ maxAttempts: 1 }), newJob()], now: T0 })).map((r) => r.id);
      const claimed = await driver().jobClaim({ queue: 'q', limit: 3, owner: 'w', leaseMs: 1000, now: T0 });
      await driver().jobFinishMany({
        items: claimed.map((c, i) => ({
          id: c.id, owner: 'w', attempt: c.attempt, startedAt: T0, countsAttempt: true,
          ...(i === 2 ? { state: 'failed' as const, outcome: 'failed' as const } : i === 1 ? { state: 'skipped' as const, outcome: 'skipped' as const } : { state: 'completed' as const, outcome: 'completed' as const }),
        })),
        now: T0 + 10,
      });
      expect(await driver().jobPrune({ finishedBefore: T0 + 10, failedBefore: T0, limit: 100 })).toBe(0);
      expect(await driver().jobPrune({ finishedBefore: T0 + 11, failedBefore: T0, limit: 1 })).toBe(1);
      expect(await driver().jobPrune({ finishedBefore: T0 + 11, failedBefore: T0, limit: 100 })).toBe(1);
      expect(await driver().jobGet({ id: ids[2]! })).not.toBeNull();
      expect(await driver().jobPrune({ finishedBefore: T0 + 11, failedBefore: T0 + 11, limit: 100 })).toBe(1);
      expect(await driver().attemptListByJob({ jobId: ids[2]! })).toEqual([]);
      expect((await driver().jobList({ limit: 10 })).jobs.map((j) => j.id)).toEqual([ids[3]]);
    });

    it('never gives an id again, even after its job was pruned', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob()], now: T0 });
      await driver().jobCancel({ id: a!.id, now: T0 });
      expect(await driver().jobPrune({ finishedBefore: T0 + 1, failedBefore: T0 + 1, limit: 10 })).toBe(1);
      const [b] = await driver().jobInsertMany({ jobs: [newJob()], now: T0 + 2 });
      expect(b!.id).toBeGreaterThan(a!.id);
    });
  });
}
