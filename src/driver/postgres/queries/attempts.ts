/** Named statements on kairos_attempts for the PostgreSQL driver. */
import { nowOr, type Tables } from './tables.js';

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
  
    /**
     * attemptReportMany — $1 id[] $2 owner[] $3 attempt[] $4 progress[] (null: leave it) $5 log job id[] $6 log at[]
     * $7 log line[] $8 now. The fence, as for a finish: rows still running under the owner and attempt, share-locked
     * in id order so that a finish of the same job waits for the report (or the report sees the finish and writes
     * nothing). The state test is IS NOT DISTINCT FROM for the planner trap job-writes.ts describes.
     */
    reportMany: `
      WITH items AS (
        SELECT *
        FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[]) AS i(id, owner, attempt, progress)
      ),
      held AS MATERIALIZED (
        SELECT j.id, j.attempt
        FROM ${t.jobs} AS j
        JOIN items AS i
          ON j.id = i.id
        WHERE j.state IS NOT DISTINCT FROM 'running'
          AND j.owner = i.owner
          AND j.attempt = i.attempt
        ORDER BY j.id
        FOR SHARE OF j
      ),
      progress AS (
        INSERT INTO ${t.attemptProgress} (job_id, attempt, progress, updated_at)
        SELECT i.id, i.attempt, i.progress, ${nowOr('$8')}
        FROM items AS i
        JOIN held AS h
          ON h.id = i.id
        WHERE i.progress IS NOT NULL
        ON CONFLICT (job_id, attempt) DO UPDATE
        SET progress = EXCLUDED.progress,
          updated_at = EXCLUDED.updated_at
      ),
      logs AS (
        INSERT INTO ${t.attemptLogs} (job_id, attempt, at, line)
        SELECT l.id, h.attempt, l.at, l.line
        FROM unnest($5::bigint[], $6::bigint[], $7::text[]) WITH ORDINALITY AS l(id, at, line, n)
        JOIN held AS h
          ON h.id = l.id
        ORDER BY l.n
      )
      SELECT id
      FROM held`,

    /** attemptLogListByJob — $1 jobId; oldest first. */
    logListByJob: `
      SELECT attempt, at, line
      FROM ${t.attemptLogs}
      WHERE job_id = $1
      ORDER BY id`,

    /** attemptProgressListByJob — $1 jobId */
    progressListByJob: `
      SELECT attempt, progress, updated_at AS "updatedAt"
      FROM ${t.attemptProgress}
      WHERE job_id = $1
      ORDER BY attempt`,
  } as const;
}
