/** Named statements on kairos_attempts for the SQLite driver. */
import { STATE_CODE as S } from '../../state-codes.js';

export const attemptSql = {
  /** attemptInsert — :jobId :attempt :workerId :startedAt :finishedAt :outcome :error :note */
  insert: `
    INSERT INTO kairos_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
    VALUES (:jobId, :attempt, :workerId, :startedAt, :finishedAt, :outcome, :error, :note)`,

  /**
   * attemptListByJob — :jobId; oldest first. The attempt that completed the job is recorded by the job row itself
   * (jobCompleteMany writes no attempt row), so it is read from there and placed last.
   */
  listByJob: `
    SELECT jobId, attempt, workerId, startedAt, finishedAt, outcome, error, note
    FROM (
      SELECT job_id AS jobId, attempt, worker_id AS workerId, started_at AS startedAt, finished_at AS finishedAt,
        outcome, error, note, id AS seq
      FROM kairos_attempts
      WHERE job_id = :jobId
      UNION ALL
      SELECT id, attempt, COALESCE(worker_id, 'unknown'), started_at, finished_at, 'completed', NULL, NULL,
        9223372036854775807
      FROM kairos_jobs
      WHERE id = :jobId
        AND state = ${S.completed}
        AND started_at IS NOT NULL)
    ORDER BY seq`,

  /** attemptDeleteByJobs — :ids (a JSON array of job ids) */
  deleteByJobs: `
    DELETE FROM kairos_attempts
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,
} as const;
