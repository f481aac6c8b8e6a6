/** The due claim never scans jobs waiting for later: its plan is an index range on (queue, priority, run_at). */
import { describe, expect, it } from 'vitest';
import { SqliteDriver } from '../../src/driver/sqlite/sqlite-driver.js';
import { jobSql } from '../../src/driver/sqlite/queries/jobs.js';
import { newJob } from '../../src/testing/job-factory.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

describe('SQLite query plans', () => {
  it('claim, next-priority and next-due read the partial claim index by range', async () => {
    const dir = makeTempDir();
    const driver = new SqliteDriver({ filename: dir.file('plan.db') });
    await driver.migrate();
    const now = Date.UTC(2026, 0, 1);
    // Many future jobs and a few due ones, then ANALYZE so the planner sees the real shape.
    const future = Array.from({ length: 20_000 }, (_, i) => newJob({ runAt: now + 86_400_000 + i }));
    await driver.jobInsertMany({ jobs: future, now });
    await driver.jobInsertMany({ jobs: Array.from({ length: 10 }, () => newJob({ runAt: now - 1 })), now });
    const db = driver.connection;
    db.exec('ANALYZE');
    const plan = (sql: string, params: object): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
    const claimPlan = plan(jobSql.claimAtPriority, { queue: 'q', priority: 0, now, limit: 100, owner: 'w', leaseUntil: now + 1 });
    expect(claimPlan).toContain('USING COVERING INDEX kairos_jobs_claim (queue=? AND priority=? AND run_at<?)');
    expect(claimPlan).not.toMatch(/SCAN kairos_jobs(?! USING)/);
    expect(plan(jobSql.nextPriority, { queue: 'q', after: -1001 })).toContain('USING COVERING INDEX kairos_jobs_claim (queue=? AND priority>?)');
    expect(plan(jobSql.nextDueAtPriority, { queue: 'q', priority: 0 })).toContain('USING COVERING INDEX kairos_jobs_claim (queue=? AND priority=?)');
    // And the claim really leaves the future jobs alone.
    const claimed = await driver.jobClaim({ queue: 'q', limit: 100, owner: 'w', leaseMs: 1000, now });
    expect(claimed).toHaveLength(10);
    await driver.close();
    dir.cleanup(false);
  });
});
