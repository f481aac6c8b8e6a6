/** Conformance: the store clock (calls with and without `now`), migrations and their report, ids as plain numbers. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { useDriver, type ConformanceTarget } from './context.js';

export function storeConformance(target: ConformanceTarget): void {
  describe('store clock, migrations, ids', () => {
    const driver = useDriver(target);

    it('now() reads the store clock as epoch ms', async () => {
      const a = await driver().now();
      const b = await driver().now();
      expect(Number.isSafeInteger(a)).toBe(true);
      expect(b).toBeGreaterThanOrEqual(a);
    });

    it('calls without `now` judge time on the store clock', async () => {
      const before = await driver().now();
      const [due, later] = await driver().jobInsertMany({ jobs: [newJob({ runAt: before - 1 }), newJob({ runAt: before + 3_600_000 })] });
      const row = (await driver().jobGet({ id: due!.id }))!;
      const after = await driver().now();
      expect(row.createdAt).toBeGreaterThanOrEqual(before);
      expect(row.createdAt).toBeLessThanOrEqual(after);
      // Without `now`, the store decides what is due: the job an hour ahead of its clock is not.
      const claimed = await driver().jobClaim({ queue: 'q', limit: 10, owner: 'w', leaseMs: 60_000 });
      expect(claimed.map((c) => c.id)).toEqual([due!.id]);
      expect(claimed[0]!.startedAt).toBeGreaterThanOrEqual(before);
      const running = (await driver().jobGet({ id: due!.id }))!;
      expect(running.leaseUntil! - running.startedAt!).toBe(60_000);
      expect(await driver().jobExtendLeases({ owner: 'w', ids: [due!.id], leaseMs: 1 })).toEqual([]);
      // A lease of 1 ms has ended once the store clock moves past it; the rescuer, without `now`, sees that.
      const leaseEnd = (await driver().jobGet({ id: due!.id }))!.leaseUntil!;
      while ((await driver().now()) <= leaseEnd) await new Promise((resolve) => setTimeout(resolve, 2));
      expect((await driver().jobRescueExpired({ limit: 10 })).map((r) => r.id)).toEqual([due!.id]);
      expect((await driver().jobGet({ id: later!.id }))!.state).toBe('scheduled');
    });

    it('migrate() is idempotent and reports the schema version; a dry run applies nothing', async () => {
      const again = await driver().migrate();
      expect(again.applied).toEqual([]);
      expect(again.pending).toEqual([]);
      expect(again.version).toBeGreaterThanOrEqual(3);
      const dry = await driver().migrate({ dryRun: true });
      expect(dry).toEqual({ applied: [], pending: [], version: again.version });
    });

    it('storeMaintain reports the tables it reclaimed (none on an empty store)', async () => {
      expect(await driver().storeMaintain()).toEqual({ vacuumed: [] });
    });

    it('returns ids as safe integers, and job counts and attempt fields as plain numbers', async () => {
      const [r] = await driver().jobInsertMany({ jobs: [newJob()], now: 1_000 });
      expect(typeof r!.id).toBe('number');
      const row = (await driver().jobGet({ id: r!.id }))!;
      for (const v of [row.id, row.runAt, row.createdAt, row.attempt, row.maxAttempts, row.priority]) {
        expect(typeof v).toBe('number');
      }
      const [count] = await driver().jobCounts();
      expect(typeof count!.count).toBe('number');
    });
  });
}
