/** Conformance: heartbeats (jobExtendLeases), the rescue of expired leases, leaseNextExpiry. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

export function leaseConformance(target: ConformanceTarget): void {
  describe('leases', () => {
    const driver = useDriver(target);

    it('extends the leases of the owner and reports the jobs it lost', async () => {
      await driver().jobInsertMany({ jobs: [newJob(), newJob()], now: T0 });
      const [a, b] = await driver().jobClaim({ queue: 'q', limit: 2, owner: 'w', leaseMs: 1000, now: T0 });
      await driver().jobCancel({ id: b!.id, now: T0 });
      const lost = await driver().jobExtendLeases({ owner: 'w', ids: [a!.id, b!.id], leaseMs: 1000, now: T0 + 600 });
      expect(lost).toEqual([b!.id]);
      expect((await driver().jobGet({ id: a!.id }))!.leaseUntil).toBe(T0 + 1600);
      expect(await driver().leaseNextExpiry()).toBe(T0 + 1600);
    });

    it('rescues an expired lease: requeued with the attempt counted and recorded', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ maxAttempts: 2 })], now: T0 });
      const [c] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'dead', leaseMs: 1000, now: T0 });
      expect(await driver().jobRescueExpired({ now: T0 + 1000, limit: 10 })).toEqual([]);
      const rescued = await driver().jobRescueExpired({ now: T0 + 1001, limit: 10 });
      expect(rescued).toEqual([{ id: c!.id, queue: 'q', attempt: 1, owner: 'dead', state: 'scheduled' }]);
      expect(await driver().jobGet({ id: c!.id })).toMatchObject({ state: 'scheduled', attempt: 1, runAt: T0 + 1001, owner: null });
      expect((await driver().attemptListByJob({ jobId: c!.id }))[0]).toMatchObject({ outcome: 'lease-expired', workerId: 'dead', startedAt: T0, finishedAt: T0 + 1001 });
      // The dead worker's late completion is refused.
      expect(await driver().jobFinishMany({ items: [{ id: c!.id, owner: 'dead', attempt: 1, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true }], now: T0 + 1002 })).toEqual([false]);
    });

    it('a rescue of the last attempt fails the job', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ maxAttempts: 1 })], now: T0 });
      const [c] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'dead', leaseMs: 10, now: T0 });
      const [r] = await driver().jobRescueExpired({ now: T0 + 11, limit: 10 });
      expect(r!.state).toBe('failed');
      expect(await driver().jobGet({ id: c!.id })).toMatchObject({ state: 'failed', finishedAt: T0 + 11 });
    });
  });
}
