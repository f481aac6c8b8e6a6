/**
 * The PostgreSQL claim never reads jobs waiting for later nor finished ones: with many of both in the table, the
 * claim's index scans return only the due rows, and no statement of the hot path scans kairos_jobs sequentially.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { jobSql } from '../../src/driver/postgres/queries/jobs.js';
import { tablesIn } from '../../src/driver/postgres/queries/tables.js';
import { newJob } from '../../src/testing/job-factory.js';
import { freshPostgresDriver, pgAvailable, TEST_DATABASE_URL } from '../../src/testing/postgres.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

const available = await pgAvailable();

describe.runIf(available)('PostgreSQL query plans', () => {
  it('the claim reads the partial claim index by a run_at range only', async () => {
    const { driver, schema, cleanup } = await freshPostgresDriver();
    const t = tablesIn(schema);
    const now = Date.UTC(2026, 0, 1);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    let failed = true;
    try {
      await client.query(`INSERT INTO ${t.jobs} (queue, state, payload, run_at, max_attempts, attempt, started_at, finished_at, created_at)
        SELECT 'q', 'completed', '{}', $1::bigint - g, 5, 1, $1::bigint - g, $1::bigint - g, $1::bigint - g FROM generate_series(1, 100000) AS g`, [now]);
      await driver.jobInsertMany({ jobs: Array.from({ length: 20_000 }, (_, i) => newJob({ runAt: now + 86_400_000 + i })), now });
      await driver.jobInsertMany({ jobs: Array.from({ length: 10 }, () => newJob({ runAt: now - 1 })), now });
      await client.query(`ANALYZE ${t.jobs}`);
      await client.query('BEGIN');
      const res = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${jobSql(t).claimNextLevel}`, ['q', -1001, now, 100, 'w', 1000]);
      await client.query('ROLLBACK');
      const all = nodes((res.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
      expect(all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'kairos_jobs')).toEqual([]);
      // Every read of kairos_jobs goes through the claim index and returns at most the 10 due rows: the level walk
      // returns one row per seek, the due check one, the claim its 10.
      // (The UPDATE then finds its rows by primary key; one probe of the limited-jobs index, empty here, asks whether
      // the queue has jobs behind a limiter.)
      const scans = all.filter((n) => n['Relation Name'] === 'kairos_jobs' && n['Node Type'].endsWith('Scan'));
      const allowed = ['kairos_jobs_claim', 'kairos_jobs_pkey', 'kairos_jobs_claim_limited'];
      expect(scans.filter((n) => !allowed.includes(n['Index Name'] ?? ''))).toEqual([]);
      expect(scans.filter((n) => n['Index Name'] === 'kairos_jobs_claim_limited').map((n) => n['Actual Rows'])).toEqual([0]);
      expect(scans.every((n) => n['Actual Rows']! <= 10)).toBe(true);
      expect(scans.filter((n) => n['Index Cond']?.includes('run_at') === true).map((n) => n['Actual Rows'])).toContain(10);
      expect((await driver.jobClaim({ queue: 'q', limit: 100, owner: 'w', leaseMs: 1000, now })).length).toBe(10);
      failed = false;
    } finally {
      await client.end();
      await driver.close();
      await cleanup(failed);
    }
  });
});

describe.skipIf(available)('PostgreSQL query plans (no PostgreSQL; see the notice above)', () => {
  it.skip('needs PostgreSQL', () => undefined);
});
