/**
 * PostgreSQL races of flows between two drivers (two instances): a dependent inserted while its dependency completes
 * is released exactly once, whichever commits first; two instances finishing the last members of a batch at once
 * release its completion job once.
 */
import { describe, expect, it } from 'vitest';
import type { FinishItem } from '../../src/driver/driver.js';
import { PostgresDriver } from '../../src/driver/postgres/postgres-driver.js';
import { newJob } from '../../src/testing/job-factory.js';
import { freshPostgresDriver, pgAvailable } from '../../src/testing/postgres.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const done = (id: number, owner: string): FinishItem => ({ id, owner, attempt: 1, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true });

describe.runIf(await pgAvailable())('PostgreSQL flow races', () => {
  it('a dependent inserted while its dependency completes is released, in 40 rounds', async () => {
    const ctx = await freshPostgresDriver();
    const other = new PostgresDriver({ connectionString: process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema: ctx.schema });
    let failed = true;
    try {
      for (let round = 0; round < 40; round++) {
        const [dep] = await ctx.driver.jobInsertMany({ jobs: [newJob({ queue: 'dep' })], now: T0 });
        await ctx.driver.jobClaim({ queue: 'dep', limit: 1, owner: 'a', leaseMs: 60_000, now: T0 });
        const [, [child]] = await Promise.all([
          ctx.driver.jobFinishMany({ items: [done(dep!.id, 'a')] }),
          other.jobInsertMany({ jobs: [newJob({ queue: 'child', runAt: T0, dependsOn: [dep!.id], dependencyPolicy: 'cancel' })] }),
        ]);
        const row = (await ctx.driver.jobGet({ id: child!.id }))!;
        expect(row.state).toBe('scheduled');
        expect(row.dependenciesPending).toBe(0);
        expect(row.runAt).toBeLessThan(253_402_300_799_999);
      }
      expect(await ctx.driver.jobClaim({ queue: 'child', limit: 100, owner: 'c', leaseMs: 1000 })).toHaveLength(40);
      failed = false;
    } finally {
      await other.close();
      await ctx.driver.close();
      await ctx.cleanup(failed);
    }
  }, 60_000);

  it('two instances finishing a batch\'s members at once release its completion job once', async () => {
    const ctx = await freshPostgresDriver();
    const other = new PostgresDriver({ connectionString: process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema: ctx.schema });
    let failed = true;
    try {
      for (let round = 0; round < 10; round++) {
        const made = await ctx.driver.batchCreate({ jobs: Array.from({ length: 40 }, () => newJob({ queue: `m${round}` })), completion: newJob({ queue: `done${round}` }), now: T0 });
        const a = await ctx.driver.jobClaim({ queue: `m${round}`, limit: 20, owner: 'a', leaseMs: 60_000, now: T0 });
        const b = await other.jobClaim({ queue: `m${round}`, limit: 20, owner: 'b', leaseMs: 60_000, now: T0 });
        // Interleaved single-job finishes from both instances, the last ones at the same time.
        await Promise.all([
          (async () => { for (const j of a) await ctx.driver.jobFinishMany({ items: [done(j.id, 'a')] }); })(),
          (async () => { for (const j of b) await other.jobFinishAndClaim({ items: [done(j.id, 'b')], claim: { queue: `done${round}`, limit: 0, owner: 'b', leaseMs: 1000 } }); })(),
        ]);
        const claimed = await ctx.driver.jobClaim({ queue: `done${round}`, limit: 10, owner: 'c', leaseMs: 1000 });
        expect(claimed.map((c) => c.id)).toEqual([made.completionJobId]);
        expect((await ctx.driver.batchGet({ id: made.batchId }))!.counts).toEqual({ completed: 40 });
      }
      failed = false;
    } finally {
      await other.close();
      await ctx.driver.close();
      await ctx.cleanup(failed);
    }
  }, 60_000);
});
