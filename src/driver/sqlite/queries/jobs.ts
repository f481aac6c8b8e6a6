/**
 * Named statements on kairos_jobs for the SQLite driver. One block per query with its parameters; columns are
 * aliased to the driver's row shape so rows need no mapping. States are stored as codes (state-codes.ts, migration
 * 004): the statements name them through S, and return names where a row leaves the driver as it is.
 */
import { STATE_CODE as S, stateNameSql } from '../../state-codes.js';

export const JOB_COLUMNS = `id, queue, ${stateNameSql('state')} AS state, payload, priority, run_at AS runAt, key, attempt, max_attempts AS maxAttempts,
  backoff, timeout_ms AS timeoutMs, deadline, tags, owner, worker_id AS workerId, lease_until AS leaseUntil, started_at AS startedAt,
  finished_at AS finishedAt, created_at AS createdAt, result, last_error AS lastError, schedule_id AS scheduleId,
  occurrence_at AS occurrenceAt, depends_on AS dependsOn, dep_policy AS dependencyPolicy, deps_pending AS dependenciesPending,
  run_after AS runAfter, batch_id AS batchId, fallback_of AS fallbackOf, fallback_job_id AS fallbackJobId, limiter, lane,
  partition_key AS partitionKey`;

/** Rows per statement of jobCompleteRows. */
export const COMPLETE_ROWS = 25;

/** A completion of `rows` jobs bound positionally: rows × (id, owner, attempt, result), then now. */
function completeRowsSql(rows: number): string {
  return `
    WITH f (id, owner, attempt, result) AS (
      VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')})
    UPDATE kairos_jobs
    SET state = ${S.completed}, finished_at = ?, owner = NULL, lease_until = NULL, result = f.result
    FROM f
    WHERE kairos_jobs.id = f.id
      AND kairos_jobs.state = ${S.running}
      AND kairos_jobs.owner = f.owner
      AND kairos_jobs.attempt = f.attempt
    RETURNING CASE WHEN kairos_jobs.flow = 0 THEN kairos_jobs.id ELSE -kairos_jobs.id END`;
}

/** Rows per statement of jobInsertRows. */
export const INSERT_ROWS = 50;
const INSERT_ROW = `(?, ${S.scheduled}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Parameters per row of jobInsertRows. */
export const INSERT_ROW_PARAMS = 16;

export const jobSql = {
  /**
   * jobInsertRows — INSERT_ROWS × (queue payload priority runAt maxAttempts backoff timeoutMs deadline tags now
   * scheduleId occurrenceAt limiter lane partitionKey partitionMode), positional; keyless jobs only. One statement for many rows costs about a third less per
   * row than one statement each. The rows get consecutive ids (each new rowid is the table's largest plus one, and the
   * statement runs under the write lock), so the first id is lastInsertRowid − INSERT_ROWS + 1.
   */
  insertRows: `
    INSERT INTO kairos_jobs (queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags, created_at,
      schedule_id, occurrence_at, limiter, lane, partition_key, partition_mode)
    VALUES ${Array.from({ length: INSERT_ROWS }, () => INSERT_ROW).join(',\n      ')}`,

  /**
   * jobInsert — :queue :payload :runAt :priority :maxAttempts :backoff :timeoutMs :deadline :tags :now :scheduleId :occurrenceAt
   * :limiter :lane :partitionKey :partitionMode (no key)
   */
  insert: `
    INSERT INTO kairos_jobs (queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags, created_at,
      schedule_id, occurrence_at, limiter, lane, partition_key, partition_mode)
    VALUES (:queue, ${S.scheduled}, :payload, :priority, :runAt, :maxAttempts, :backoff, :timeoutMs, :deadline, :tags, :now,
      :scheduleId, :occurrenceAt, :limiter, :lane, :partitionKey, :partitionMode)`,

  /** jobInsertKeyed — as jobInsert plus :key; returns nothing when the key is taken. */
  insertKeyed: `
    INSERT INTO kairos_jobs (queue, state, payload, priority, run_at, key, max_attempts, backoff, timeout_ms, deadline, tags, created_at,
      schedule_id, occurrence_at, limiter, lane, partition_key, partition_mode)
    VALUES (:queue, ${S.scheduled}, :payload, :priority, :runAt, :key, :maxAttempts, :backoff, :timeoutMs, :deadline, :tags, :now,
      :scheduleId, :occurrenceAt, :limiter, :lane, :partitionKey, :partitionMode)
    ON CONFLICT (queue, key) WHERE key IS NOT NULL AND state <= ${S.completed} DO NOTHING
    RETURNING id`,

  /** jobGetByKey — :queue :key; the job holding the key, if any. */
  getByKey: `
    SELECT id, ${stateNameSql('state')} AS state, run_at AS runAt
    FROM kairos_jobs
    WHERE queue = :queue
      AND key = :key
      AND state <= ${S.completed}`,

  /**
   * jobReplacePending — :id and the job fields; rewrites a job that has not started (its limiter, lane and partition
   * key stay). A job held for its dependencies is kept (flows, migration 007): rewriting its run_at would release it.
   */
  replacePending: `
    UPDATE kairos_jobs
    SET payload = :payload, priority = :priority, run_at = :runAt, max_attempts = :maxAttempts, backoff = :backoff,
        timeout_ms = :timeoutMs, deadline = :deadline, tags = :tags
    WHERE id = :id
      AND state = ${S.scheduled}
      AND attempt = 0
      AND deps_pending = 0`,

  /** jobNextPriority — :queue :after; the next priority level above :after that has pending jobs. */
  nextPriority: `
    SELECT priority
    FROM kairos_jobs
    WHERE state = ${S.scheduled}
      AND key_waiting = 0
      AND limiter IS NULL
      AND queue = :queue
      AND priority > :after
      -- A paused queue has no levels: nothing is claimed, by any process.
      AND NOT EXISTS (SELECT 1 FROM kairos_queues WHERE name = :queue AND paused = 1)
    ORDER BY priority
    LIMIT 1`,

  /**
   * jobClaimAtPriority — :queue :priority :now :limit :owner :leaseUntil
   * Free jobs only (no limiter, holding their key's turn if they have a key): limited ones go through limiter-ops.ts.
   * One priority level at a time so the (queue, priority, run_at) index yields a pure range: future jobs are never
   * read. A due job past its deadline becomes expired in the same statement instead of running. Read in raw
   * (array) mode: building row objects in the native binding costs more than the rest of the claim.
   */
  claimAtPriority: `
    UPDATE kairos_jobs
    SET state       = CASE WHEN deadline < :now THEN ${S.expired} ELSE ${S.running} END,
        attempt     = CASE WHEN deadline < :now THEN attempt ELSE attempt + 1 END,
        owner       = CASE WHEN deadline < :now THEN NULL ELSE :owner END,
        worker_id   = CASE WHEN deadline < :now THEN worker_id ELSE :owner END,
        lease_until = CASE WHEN deadline < :now THEN NULL ELSE :leaseUntil END,
        started_at  = CASE WHEN deadline < :now THEN started_at ELSE :now END,
        finished_at = CASE WHEN deadline < :now THEN :now ELSE NULL END
    WHERE id IN (
      SELECT id
      FROM kairos_jobs
      WHERE state = ${S.scheduled}
        AND key_waiting = 0
        AND limiter IS NULL
        AND queue = :queue
        AND priority = :priority
        AND run_at <= :now
      ORDER BY run_at, id
      LIMIT :limit)
    RETURNING id, state, payload, priority, run_at, key, attempt, max_attempts, backoff, timeout_ms, deadline, tags, schedule_id,
      occurrence_at, limiter, lane, partition_key`,

  /** jobNextDueAtPriority — :queue :priority; the earliest pending run_at at one priority level. */
  nextDueAtPriority: `
    SELECT run_at AS runAt
    FROM kairos_jobs
    WHERE state = ${S.scheduled}
      AND key_waiting = 0
      AND limiter IS NULL
      AND queue = :queue
      AND priority = :priority
    ORDER BY run_at
    LIMIT 1`,

  /**
   * jobCompleteRows — COMPLETE_ROWS × (id owner attempt result), then now; positional; returns the id of each row
   * completed, negated when its end has consequences to write (flow <> 0, migration 007). A batch of completions in one
   * statement, fenced per row by id, owner and attempt. Rows bound as plain values cost about 3 % less CPU per job
   * than one JSON array (SQLite re-parses it for every field it extracts). The completed attempt is not copied to
   * kairos_attempts: the job row (started_at, finished_at, worker_id) is its record, which halves the writes of the
   * common case.
   */
  completeRows: completeRowsSql(COMPLETE_ROWS),

  /** jobCompleteRow — as jobCompleteRows for one row: the remainder of a batch. */
  completeRow: completeRowsSql(1),

  /** jobFinishFinal — :id :owner :attempt :state (a code) :now :result :error; fenced by owner and attempt. */
  finishFinal: `
    UPDATE kairos_jobs
    SET state = :state, finished_at = :now, owner = NULL, lease_until = NULL, result = :result,
        last_error = COALESCE(:error, last_error)
    WHERE id = :id
      AND state = ${S.running}
      AND owner = :owner
      AND attempt = :attempt`,

  /** jobRequeue — :id :owner :attempt :runAt :giveBack :error; retry, snooze or hand-back, fenced. */
  requeue: `
    UPDATE kairos_jobs
    SET state = ${S.scheduled}, run_at = :runAt, attempt = attempt - :giveBack, owner = NULL, lease_until = NULL,
        last_error = COALESCE(:error, last_error)
    WHERE id = :id
      AND state = ${S.running}
      AND owner = :owner
      AND attempt = :attempt`,

  /** jobExtendLeases — :owner :leaseUntil; returns the ids still held. */
  extendLeases: `
    UPDATE kairos_jobs
    SET lease_until = :leaseUntil
    WHERE state = ${S.running}
      AND owner = :owner
    RETURNING id`,

  /** jobExpiredLeases — :now :limit; running jobs whose lease ended, oldest lease first. */
  expiredLeases: `
    SELECT id, queue, attempt, max_attempts AS maxAttempts, owner, started_at AS startedAt
    FROM kairos_jobs
    WHERE state = ${S.running}
      AND lease_until < :now
    ORDER BY lease_until, id
    LIMIT :limit`,

  /** jobFailRescued — :id :owner :attempt :now :error; a rescued job with no attempts left. */
  failRescued: `
    UPDATE kairos_jobs
    SET state = ${S.failed}, finished_at = :now, owner = NULL, lease_until = NULL, last_error = :error
    WHERE id = :id
      AND state = ${S.running}
      AND owner = :owner
      AND attempt = :attempt`,

  /** jobLeaseNextExpiry — the earliest lease end among running jobs. */
  leaseNextExpiry: `
    SELECT MIN(lease_until) AS leaseUntil
    FROM kairos_jobs
    WHERE state = ${S.running}`,

  /** jobGet — :id */
  get: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE id = :id`,

  /** jobActiveByKey — :queue :key; the pending or running job holding a key. */
  activeByKey: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE queue = :queue
      AND key = :key
      AND state <= ${S.running}`,

  /** jobCancel — :id :now; from scheduled or running. */
  cancel: `
    UPDATE kairos_jobs
    SET state = ${S.cancelled}, finished_at = :now, owner = NULL, lease_until = NULL
    WHERE id = :id
      AND state <= ${S.running}`,

  /** jobArchiveCompletedAttempt — :id; before a completed job is replayed, its attempt moves to kairos_attempts. */
  archiveCompletedAttempt: `
    INSERT INTO kairos_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
    SELECT id, attempt, COALESCE(worker_id, 'unknown'), started_at, finished_at, 'completed', NULL, NULL
    FROM kairos_jobs
    WHERE id = :id
      AND state = ${S.completed}
      AND started_at IS NOT NULL`,

  /**
   * jobReplay — :id :now; a final job back to scheduled, same id. One more attempt when none is left; an expired
   * job loses its deadline, since replaying it means "run it anyway".
   */
  replay: `
    UPDATE kairos_jobs
    SET state = ${S.scheduled}, run_at = :now, finished_at = NULL, result = NULL, deps_pending = 0,
        max_attempts = MAX(max_attempts, attempt + 1),
        deadline = CASE WHEN state = ${S.expired} THEN NULL ELSE deadline END
    WHERE id = :id
      AND state >= ${S.completed}`,

  /** jobListAll — :cursor :limit; newest first. */
  listAll: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobListByQueue — :queue :cursor :limit; kairos_jobs_queue_id backwards (migration 010). */
  listByQueue: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE queue = :queue
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobListByState — :state (a code) :cursor :limit */
  listByState: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE state = :state
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /**
   * jobListByRareState — :state (failed, cancelled, expired or skipped) :cursor :limit. The literal range repeats
   * the partial index's predicate, which SQLite needs to see to use kairos_jobs_rare_state.
   */
  listByRareState: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE state = :state
      AND state >= ${S.failed}
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /**
   * jobListRunning — :cursor :limit. Running jobs are few (bounded by the workers' concurrency) and all in the lease
   * index: read them all and sort, rather than walk the table for them (the planner would walk (queue, id) or the
   * primary key, which reads every newer row when few jobs run).
   */
  listRunning: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs INDEXED BY kairos_jobs_lease
    WHERE state = ${S.running}
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobListRunningByQueue — :queue :cursor :limit; as jobListRunning. */
  listRunningByQueue: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs INDEXED BY kairos_jobs_lease
    WHERE state = ${S.running}
      AND queue = :queue
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobListByQueueRareState — :queue :state (failed, cancelled, expired or skipped) :cursor :limit */
  listByQueueRareState: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE queue = :queue
      AND state = :state
      AND state >= ${S.failed}
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobListByQueueState — :queue :state (a code) :cursor :limit */
  listByQueueState: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs
    WHERE queue = :queue
      AND state = :state
      AND id < :cursor
    ORDER BY id DESC
    LIMIT :limit`,

  /** jobPrunable — :finishedBefore :failedBefore :limit; final jobs past their retention, oldest first. */
  prunable: `
    SELECT id
    FROM kairos_jobs
    WHERE finished_at IS NOT NULL
      AND finished_at < MAX(:finishedBefore, :failedBefore)
      AND finished_at < CASE WHEN state = ${S.failed} THEN :failedBefore ELSE :finishedBefore END
    ORDER BY finished_at
    LIMIT :limit`,

  /**
   * jobCounts — no parameters; jobs per queue and state. A full scan: no index covers every state, and counts are
   * read by status commands and dashboards, not by the claim path.
   */
  counts: `
    SELECT queue, ${stateNameSql('kairos_jobs.state')} AS state, COUNT(*) AS count
    FROM kairos_jobs
    GROUP BY queue, kairos_jobs.state
    ORDER BY 1, 2`,

  /** jobCountsByQueue — :queue; as jobCounts for one queue (also a scan). */
  countsByQueue: `
    SELECT queue, ${stateNameSql('kairos_jobs.state')} AS state, COUNT(*) AS count
    FROM kairos_jobs
    WHERE queue = :queue
    GROUP BY queue, kairos_jobs.state
    ORDER BY 2`,

  /** jobDeleteOne — :id; undoes the insert of a duplicate occurrence's job inside the same transaction. */
  deleteOne: `
    DELETE FROM kairos_jobs
    WHERE id = :id`,

  /** jobDeleteMany — :ids (a JSON array of ids) */
  deleteMany: `
    DELETE FROM kairos_jobs
    WHERE id IN (SELECT value FROM json_each(:ids))`,
} as const;
