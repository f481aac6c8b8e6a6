/** Conformance: jobClaim order, limits, deadlines, jobNextDue. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

export function claimConformance(target: ConformanceTarget): void {
  describe('jobClaim', () => {
    const driver = useDriver(target);
    const claim = (limit: number, now = T0, queue = 'q', owner = 'w') => driver().jobClaim({ queue, limit, owner, leaseMs: 1000, now });

    it('claims only due jobs of the queue, in (priority, runAt, id) order', async () => {
      await driver().jobInsertMany({
        jobs: [
          newJob({ payload: '"late"', runAt: T0 - 10, priority: 5 }),
          newJob({ payload: '"future"', runAt: T0 + 1 }),
          newJob({ payload: '"second"', runAt: T0 - 5 }),
          newJob({ payload: '"first"', runAt: T0 - 50 }),
          newJob({ payload: '"urgent"', runAt: T0, priority: -3 }),
          newJob({ payload: '"other"', runAt: T0 - 100, queue: 'other' }),
        ],
        now: T0,
      });
      const got = await claim(10);
      expect(got.map((j) => JSON.parse(j.payload))).toEqual(['urgent', 'first', 'second', 'late']);
      expect(got.every((j) => j.state === 'running' && j.attempt === 1 && j.startedAt === T0)).toBe(true);
      const row = await driver().jobGet({ id: got[0]!.id });
      expect(row).toMatchObject({ state: 'running', owner: 'w', workerId: 'w', leaseUntil: T0 + 1000, startedAt: T0, attempt: 1 });
    });

    it('respects the limit across priority levels', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ priority: 1 }), newJob({ priority: 2 }), newJob({ priority: 3 })], now: T0 });
      expect((await claim(2)).map((j) => j.priority)).toEqual([1, 2]);
      expect((await claim(2)).map((j) => j.priority)).toEqual([3]);
      expect(await claim(2)).toEqual([]);
    });

    it('never hands one job to two claims', async () => {
      await driver().jobInsertMany({ jobs: Array.from({ length: 50 }, () => newJob()), now: T0 });
      const [a, b] = await Promise.all([claim(30, T0, 'q', 'a'), claim(30, T0, 'q', 'b')]);
      const ids = [...a, ...b].map((j) => j.id);
      expect(new Set(ids).size).toBe(50);
    });

    it('expires a due job whose deadline has passed instead of running it', async () => {
      const [r] = await driver().jobInsertMany({ jobs: [newJob({ runAt: T0 - 100, deadline: T0 - 1 })], now: T0 - 200 });
      const got = await claim(5);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ id: r!.id, state: 'expired', attempt: 0 });
      expect(await driver().jobGet({ id: r!.id })).toMatchObject({ state: 'expired', finishedAt: T0, owner: null, attempt: 0 });
    });

    it('runs a job whose deadline is exactly now', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ runAt: T0, deadline: T0 })], now: T0 });
      expect((await claim(1))[0]!.state).toBe('running');
    });

    it('jobNextDue gives the earliest pending runAt over priorities and queues', async () => {
      expect(await driver().jobNextDue({ queues: ['q'] })).toBeNull();
      await driver().jobInsertMany({
        jobs: [newJob({ runAt: T0 + 300, priority: -1 }), newJob({ runAt: T0 + 200, priority: 4 }), newJob({ runAt: T0 + 100, queue: 'b' })],
        now: T0,
      });
      expect(await driver().jobNextDue({ queues: ['q'] })).toBe(T0 + 200);
      expect(await driver().jobNextDue({ queues: ['q', 'b'] })).toBe(T0 + 100);
    });
  });
}
