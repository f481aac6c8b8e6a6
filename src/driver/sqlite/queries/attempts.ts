/** Named statements on kairos_attempts for the SQLite driver. */

export const attemptSql = {
  /** attemptInsert — :jobId :attempt :workerId :startedAt :finishedAt :outcome :error :note */
  insert: `
    INSERT INTO kairos_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
    VALUES (:jobId, :attempt, :workerId, :startedAt, :finishedAt, :outcome, :error, :note)`,

  /** attemptListByJob — :jobId; oldest first. */
  listByJob: `
    SELECT job_id AS jobId, attempt, worker_id AS workerId, started_at AS startedAt, finished_at AS finishedAt,
      outcome, error, note
    FROM kairos_attempts
    WHERE job_id = :jobId
    ORDER BY id`,

  /** attemptDeleteByJobs — :ids (a JSON array of job ids) */
  deleteByJobs: `
    DELETE FROM kairos_attempts
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,
} as const;
