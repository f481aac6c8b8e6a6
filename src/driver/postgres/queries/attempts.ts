/** Named statements on kairos_attempts for the PostgreSQL driver. */
import type { Tables } from './tables.js';

/** The statements over kairos_attempts, on the tables of `t`. */
export function attemptSql(t: Tables) {
  return {
    /** attemptInsert — $1 jobId $2 attempt $3 workerId $4 startedAt $5 finishedAt $6 outcome $7 error $8 note */
    insert: `
      INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,

    /**
     * attemptListByJob — $1 jobId; oldest first. The attempt that completed the job is recorded by the job row itself
     * (jobCompleteMany writes no attempt row), so it is read from there and placed last.
     */
    listByJob: `
      SELECT "jobId", attempt, "workerId", "startedAt", "finishedAt", outcome, error, note
      FROM (
        SELECT job_id AS "jobId", attempt, worker_id AS "workerId", started_at AS "startedAt", finished_at AS "finishedAt",
          outcome, error, note, id AS seq
        FROM ${t.attempts}
        WHERE job_id = $1
        UNION ALL
        SELECT id, attempt, COALESCE(worker_id, 'unknown'), started_at, finished_at, 'completed', NULL, NULL,
          9223372036854775807
        FROM ${t.jobs}
        WHERE id = $1
          AND state = 'completed'
          AND started_at IS NOT NULL
      ) AS a
      ORDER BY seq`,
  } as const;
}
