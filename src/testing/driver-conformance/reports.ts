/** Conformance: what running handlers report (attemptReportMany) — fenced by owner and attempt, kept per attempt, pruned. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

export function reportConformance(target: ConformanceTarget): void {
  describe('attempt reports (progress and logs)', () => {
    const driver = useDriver(target);

    it('stores the latest progress and appends log lines per attempt, for the owner that holds the job', async () => {
      await driver().jobInsertMany({ jobs: [newJob(), newJob()], now: T0 });
      const [a, b] = await driver().jobClaim({ queue: 'q', limit: 2, owner: 'w', leaseMs: 1000, now: T0 });
      const first = await driver().attemptReportMany({
        items: [
          { id: a!.id, owner: 'w', attempt: 1, progress: '10', logs: [{ at: T0 + 1, line: 'one' }, { at: T0 + 2, line: 'two' }] },
          { id: b!.id, owner: 'w', attempt: 1, progress: null, logs: [{ at: T0 + 3, line: 'b only' }] },
        ],
        now: T0 + 5,
      });
      expect(first).toEqual([true, true]);
      expect(await driver().attemptReportMany({ items: [{ id: a!.id, owner: 'w', attempt: 1, progress: '{"done":3,"of":4}', logs: [{ at: T0 + 6, line: 'three' }] }], now: T0 + 7 })).toEqual([true]);
      expect(await driver().attemptProgressListByJob({ jobId: a!.id })).toEqual([{ attempt: 1, progress: '{"done":3,"of":4}', updatedAt: T0 + 7 }]);
      expect(await driver().attemptLogListByJob({ jobId: a!.id })).toEqual([
        { attempt: 1, at: T0 + 1, line: 'one' }, { attempt: 1, at: T0 + 2, line: 'two' }, { attempt: 1, at: T0 + 6, line: 'three' },
      ]);
      expect(await driver().attemptProgressListByJob({ jobId: b!.id })).toEqual([]);
      expect(await driver().attemptLogListByJob({ jobId: b!.id })).toEqual([{ attempt: 1, at: T0 + 3, line: 'b only' }]);
      expect(await driver().attemptReportMany({ items: [] })).toEqual([]);
    });

    it('writes nothing for a worker that lost the job: another owner, an old attempt, a finished or cancelled job', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ maxAttempts: 3 }), newJob(), newJob()], now: T0 });
      const [a, b, c] = await driver().jobClaim({ queue: 'q', limit: 3, owner: 'w', leaseMs: 1000, now: T0 });
      // a: rescued after its lease ended and claimed again by another worker (attempt 2).
      await driver().jobRescueExpired({ now: T0 + 1001, limit: 10 });
      const [again] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'v', leaseMs: 1000, now: T0 + 1001 });
      expect(again!.id).toBe(a!.id);
      await driver().jobFinishMany({ items: [{ id: b!.id, owner: 'w', attempt: 1, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true }], now: T0 + 1002 });
      await driver().jobCancel({ id: c!.id, now: T0 + 1002 });
      const line = [{ at: T0 + 1003, line: 'late' }];
      const result = await driver().attemptReportMany({
        items: [
          { id: a!.id, owner: 'w', attempt: 1, progress: '50', logs: line },
          { id: b!.id, owner: 'w', attempt: 1, progress: '50', logs: line },
          { id: c!.id, owner: 'w', attempt: 1, progress: '50', logs: line },
        ],
        now: T0 + 1003,
      });
      expect(result).toEqual([false, false, false]);
      expect(await driver().attemptReportMany({ items: [{ id: a!.id, owner: 'w', attempt: 2, progress: '1', logs: line }], now: T0 + 1003 })).toEqual([false]);
      expect(await driver().attemptReportMany({ items: [{ id: a!.id, owner: 'v', attempt: 2, progress: '1', logs: line }], now: T0 + 1003 })).toEqual([true]);
      for (const id of [b!.id, c!.id]) {
        expect(await driver().attemptLogListByJob({ jobId: id })).toEqual([]);
        expect(await driver().attemptProgressListByJob({ jobId: id })).toEqual([]);
      }
      expect(await driver().attemptLogListByJob({ jobId: a!.id })).toEqual([{ attempt: 2, at: T0 + 1003, line: 'late' }]);
      expect(await driver().attemptProgressListByJob({ jobId: a!.id })).toEqual([{ attempt: 2, progress: '1', updatedAt: T0 + 1003 }]);
    });

    it('the pruner deletes a job\'s progress and log lines with it', async () => {
      await driver().jobInsertMany({ jobs: [newJob()], now: T0 });
      const [a] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
      await driver().attemptReportMany({ items: [{ id: a!.id, owner: 'w', attempt: 1, progress: '99', logs: [{ at: T0, line: 'x' }] }], now: T0 });
      await driver().jobFinishMany({ items: [{ id: a!.id, owner: 'w', attempt: 1, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true }], now: T0 + 1 });
      expect(await driver().jobPrune({ finishedBefore: T0 + 2, failedBefore: T0 + 2, limit: 10 })).toBe(1);
      expect(await driver().attemptLogListByJob({ jobId: a!.id })).toEqual([]);
      expect(await driver().attemptProgressListByJob({ jobId: a!.id })).toEqual([]);
    });
  });
}
