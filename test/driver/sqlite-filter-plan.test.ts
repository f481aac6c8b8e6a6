/** Job filters read an index, not the whole table: tags along (tag, job_id), key prefixes along (queue, key). */
import { describe, expect, it } from 'vitest';
import { SqliteDriver } from '../../src/driver/sqlite/sqlite-driver.js';
import { flowSql } from '../../src/driver/sqlite/queries/flows.js';
import { newJob } from '../../src/testing/job-factory.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

describe('SQLite filter plans', () => {
  it('a tag filter and a key prefix filter are index ranges on 20,000 jobs', async () => {
    const dir = makeTempDir();
    const driver = new SqliteDriver({ filename: dir.file('plan.db') });
    await driver.migrate();
    const jobs = Array.from({ length: 20_000 }, (_, i) => newJob({ queue: i % 2 === 0 ? 'a' : 'b', key: `k${i}`, tags: i % 100 === 0 ? '["rare"]' : '["common"]' }));
    await driver.jobInsertMany({ jobs, now: 0 });
    const db = driver.connection;
    db.exec('ANALYZE');
    const base = {
      queue: null, stateMask: null, tag: null, keyPrefix: null, keyEnd: null, batchId: null, createdFrom: null, createdTo: null,
      runAtFrom: null, runAtTo: null, finishedFrom: null, finishedTo: null, cursor: Number.MAX_SAFE_INTEGER, limit: 50,
    };
    const plan = (sql: string, params: object): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
    const byTag = plan(flowSql.filterByTag, { ...base, tag: 'rare' });
    expect(byTag).toMatch(/SEARCH t USING (COVERING )?(INDEX sqlite_autoindex_kairos_job_tags_1|PRIMARY KEY) \(tag=\? AND job_id<\?\)/);
    expect(byTag).not.toMatch(/SCAN j\b/);
    const byKey = plan(flowSql.filterByKeyPrefix, { ...base, queue: 'a', keyPrefix: 'k1', keyEnd: 'k2' });
    expect(byKey).toContain('USING INDEX kairos_jobs_key_prefix (queue=? AND key>?)');
    expect((await driver.jobList({ tag: 'rare', limit: 500 })).jobs).toHaveLength(200);
    expect((await driver.jobList({ queue: 'a', keyPrefix: 'k1998', limit: 500 })).jobs.map((j) => j.key).sort()).toEqual(['k1998', 'k19980', 'k19982', 'k19984', 'k19986', 'k19988']);
    await driver.close();
    dir.cleanup(false);
  });
});
