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

  /** attemptReportHeld — :id :owner :attempt; the fence of a report: the job still runs under this owner and attempt. */
  reportHeld: `
    SELECT 1
    FROM kairos_jobs
    WHERE id = :id
      AND state = ${S.running}
      AND owner = :owner
      AND attempt = :attempt`,

  /** attemptProgressUpsert — :id :attempt :progress :now */
  progressUpsert: `
    INSERT INTO kairos_attempt_progress (job_id, attempt, progress, updated_at)
    VALUES (:id, :attempt, :progress, :now)
    ON CONFLICT (job_id, attempt) DO UPDATE
    SET progress = excluded.progress,
      updated_at = excluded.updated_at`,

  /** attemptLogInsert — :id :attempt :at :line */
  logInsert: `
    INSERT INTO kairos_attempt_logs (job_id, attempt, at, line)
    VALUES (:id, :attempt, :at, :line)`,

  /** attemptLogListByJob — :jobId; oldest first. */
  logListByJob: `
    SELECT attempt, at, line
    FROM kairos_attempt_logs
    WHERE job_id = :jobId
    ORDER BY id`,

  /** attemptProgressListByJob — :jobId */
  progressListByJob: `
    SELECT attempt, progress, updated_at AS updatedAt
    FROM kairos_attempt_progress
    WHERE job_id = :jobId
    ORDER BY attempt`,

  /** attemptReportsDeleteByJobs (progress) — :ids (a JSON array of job ids) */
  progressDeleteByJobs: `
    DELETE FROM kairos_attempt_progress
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,

  /** attemptReportsDeleteByJobs (logs) — :ids (a JSON array of job ids) */
  logDeleteByJobs: `
    DELETE FROM kairos_attempt_logs
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,

  /** attemptDeleteByJobs — :ids (a JSON array of job ids) */
  deleteByJobs: `
    DELETE FROM kairos_attempts
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,
} as const;
