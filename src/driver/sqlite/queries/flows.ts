/**
 * Named statements of the SQLite driver for flows (migration 007): dependencies, batches, fallbacks, waiters, tags,
 * filtered lists and bulk actions. The end of a job runs them in the transaction that wrote the end (flow-ops.ts).
 */
import { HELD_RUN_AT } from '../../driver.js';
import { STATE_CODE as S } from '../../state-codes.js';
import { JOB_COLUMNS } from './jobs.js';

/** The filter predicates of JobFilter; a null parameter leaves its field out. Shared by the filtered selects. */
const FILTERED = `
      AND (:queue IS NULL OR j.queue = :queue)
      AND (:stateMask IS NULL OR ((:stateMask >> j.state) & 1) = 1)
      AND (:tag IS NULL OR EXISTS (SELECT 1 FROM kairos_job_tags AS t2 WHERE t2.tag = :tag AND t2.job_id = j.id))
      AND (:keyPrefix IS NULL OR (j.key >= :keyPrefix AND (:keyEnd IS NULL OR j.key < :keyEnd)))
      AND (:batchId IS NULL OR j.batch_id = :batchId)
      AND (:createdFrom IS NULL OR j.created_at >= :createdFrom)
      AND (:createdTo IS NULL OR j.created_at < :createdTo)
      AND (:runAtFrom IS NULL OR j.run_at >= :runAtFrom)
      AND (:runAtTo IS NULL OR j.run_at < :runAtTo)
      AND (:finishedFrom IS NULL OR j.finished_at >= :finishedFrom)
      AND (:finishedTo IS NULL OR j.finished_at < :finishedTo)`;

const CANCEL_BY_DEPENDENCY = `:bad = 1 AND dep_policy = 'cancel'`;

export const flowSql = {
  /** flowDependencyState — :id; a dependency named at insert. */
  dependencyState: `
    SELECT id, state
    FROM kairos_jobs
    WHERE id = :id`,

  /** flowMarkDependents — :id; the job now has a dependent waiting for its end. */
  markDependents: `
    UPDATE kairos_jobs
    SET flow = flow | 1
    WHERE id = :id`,

  /** flowEdgeInsert — :dependsOn :jobId */
  edgeInsert: `
    INSERT OR IGNORE INTO kairos_job_deps (depends_on, job_id)
    VALUES (:dependsOn, :jobId)`,

  /** flowHold — :id :pending :dependsOn :policy; keeps a new job out of the claim until its dependencies end. */
  hold: `
    UPDATE kairos_jobs
    SET deps_pending = :pending, run_after = run_at, run_at = ${HELD_RUN_AT}, depends_on = :dependsOn, dep_policy = :policy
    WHERE id = :id
      AND state = ${S.scheduled}`,

  /** flowRecordDependencies — :id :dependsOn :policy; every dependency had already completed. */
  recordDependencies: `
    UPDATE kairos_jobs
    SET depends_on = :dependsOn, dep_policy = :policy
    WHERE id = :id`,

  /** flowCancelAtInsert — :id :now :reason :dependsOn :policy; a dependency had already failed. */
  cancelAtInsert: `
    UPDATE kairos_jobs
    SET state = ${S.cancelled}, finished_at = :now, last_error = :reason, depends_on = :dependsOn, dep_policy = :policy
    WHERE id = :id
      AND state = ${S.scheduled}`,

  /** flowTagsInsert — :id; the tag rows of a job, from its tags JSON. */
  tagsInsert: `
    INSERT OR IGNORE INTO kairos_job_tags (tag, job_id)
    SELECT t.value, j.id
    FROM kairos_jobs AS j, json_each(j.tags) AS t
    WHERE j.id = :id
      AND j.tags IS NOT NULL`,

  /** flowTagsDelete — :id */
  tagsDelete: `
    DELETE FROM kairos_job_tags
    WHERE job_id = :id`,

  /** flowTagsDeleteMany — :ids (JSON array) */
  tagsDeleteMany: `
    DELETE FROM kairos_job_tags
    WHERE job_id IN (SELECT value FROM json_each(:ids))`,

  /** flowPendingEnd — :id; an ended job's consequences not yet written (flowClear marks them written). */
  pendingEnd: `
    SELECT id, queue, state, flow
    FROM kairos_jobs
    WHERE id = :id
      AND flow <> 0
      AND state >= ${S.completed}`,

  /** flowClear — :id */
  clear: `
    UPDATE kairos_jobs
    SET flow = 0
    WHERE id = :id`,

  /** flowEdgesTake — :id; the dependents of an ended job, their edges deleted. */
  edgesTake: `
    DELETE FROM kairos_job_deps
    WHERE depends_on = :id
    RETURNING job_id AS jobId`,

  /**
   * flowDependencyEnded — :id :bad (1 when the dependency did not complete) :now :reason
   * One dependency of a held job ended: cancel the job (policy 'cancel' and a bad end) or count it down; the last
   * one releases it at max(runAfter, now).
   */
  dependencyEnded: `
    UPDATE kairos_jobs
    SET state        = CASE WHEN ${CANCEL_BY_DEPENDENCY} THEN ${S.cancelled} ELSE state END,
        finished_at  = CASE WHEN ${CANCEL_BY_DEPENDENCY} THEN :now ELSE finished_at END,
        last_error   = CASE WHEN ${CANCEL_BY_DEPENDENCY} THEN :reason ELSE last_error END,
        deps_pending = CASE WHEN ${CANCEL_BY_DEPENDENCY} THEN deps_pending ELSE deps_pending - 1 END,
        run_at       = CASE WHEN ${CANCEL_BY_DEPENDENCY} THEN run_at
                            WHEN deps_pending = 1 THEN MAX(COALESCE(run_after, :now), :now)
                            ELSE run_at END
    WHERE id = :id
      AND state = ${S.scheduled}
      AND deps_pending > 0
    RETURNING id, queue, state, run_at AS runAt, deps_pending AS pending`,

  /**
   * flowFallbackCreate — :id :now; the one fallback job of a job that failed finally, when its queue names a
   * fallback queue: same payload, priority, attempts, backoff, timeout and tags, due now, behind the fallback queue's
   * limiter if it has one. A fallback job gets none.
   */
  fallbackCreate: `
    INSERT INTO kairos_jobs (queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, tags, created_at, fallback_of,
      limiter, lane)
    SELECT q.fallback, ${S.scheduled}, j.payload, j.priority, :now, j.max_attempts, j.backoff, j.timeout_ms, j.tags, :now, j.id,
      fq.limiter, fq.lane
    FROM kairos_jobs AS j
    JOIN kairos_queues AS q ON q.name = j.queue
    -- The fallback queue's limiter and lane, as an enqueue to it would get them (migration 006).
    LEFT JOIN kairos_queues AS fq ON fq.name = q.fallback AND fq.limiter IS NOT NULL
    WHERE j.id = :id
      AND j.state = ${S.failed}
      AND j.fallback_of IS NULL
      AND j.fallback_job_id IS NULL
      AND q.fallback IS NOT NULL
    RETURNING id, queue, run_at AS runAt`,

  /** flowFallbackLink — :id :fallbackId */
  fallbackLink: `
    UPDATE kairos_jobs
    SET fallback_job_id = :fallbackId
    WHERE id = :id`,

  /** flowWatch — :id; announce the end of a job that has not ended. */
  watch: `
    UPDATE kairos_jobs
    SET flow = flow | 2
    WHERE id = :id
      AND state < ${S.completed}`,

  /** flowUnresolved — :limit; ended jobs whose consequences were not written with their end. */
  unresolved: `
    SELECT id
    FROM kairos_jobs
    WHERE flow <> 0
      AND finished_at IS NOT NULL
    ORDER BY id
    LIMIT :limit`,

  /** flowPending — :id; a row when the job's end still has consequences to write. */
  flowPending: `
    SELECT 1
    FROM kairos_jobs
    WHERE id = :id
      AND flow <> 0`,

  /** batchDeleteByCompletion — :ids (JSON array); batches whose completion job is deleted go with it. */
  batchDeleteByCompletion: `
    DELETE FROM kairos_batches
    WHERE completion_job_id IN (SELECT value FROM json_each(:ids))`,

  /** batchInsert — :total :now */
  batchInsert: `
    INSERT INTO kairos_batches (total, created_at)
    VALUES (:total, :now)
    RETURNING id`,

  /** batchSetCompletion — :id :jobId */
  batchSetCompletion: `
    UPDATE kairos_batches
    SET completion_job_id = :jobId
    WHERE id = :id`,

  /** batchMarkMember — :id :batchId; a member: in the batch, and its end counts down the completion job. */
  batchMarkMember: `
    UPDATE kairos_jobs
    SET batch_id = :batchId, flow = flow | 1
    WHERE id = :id`,

  /** batchHoldCompletion — :id :batchId :pending */
  batchHoldCompletion: `
    UPDATE kairos_jobs
    SET batch_id = :batchId, deps_pending = :pending, run_after = run_at, run_at = ${HELD_RUN_AT}, dep_policy = 'run'
    WHERE id = :id`,

  /** batchGet — :id */
  batchGet: `
    SELECT id, total, completion_job_id AS completionJobId, created_at AS createdAt
    FROM kairos_batches
    WHERE id = :id`,

  /** batchCounts — :id :completionJobId; members by state (code), the completion job left out. */
  batchCounts: `
    SELECT state, COUNT(*) AS count
    FROM kairos_jobs
    WHERE batch_id = :id
      AND id <> :completionJobId
    GROUP BY state`,

  /** jobFilterByTag — filter params, :cursor :limit; newest first along (tag, job_id). */
  filterByTag: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_job_tags AS t
    JOIN kairos_jobs AS j ON j.id = t.job_id
    WHERE t.tag = :tag
      AND t.job_id < :cursor ${FILTERED}
    ORDER BY t.job_id DESC
    LIMIT :limit`,

  /** jobFilterByKeyPrefix — filter params (queue and keyPrefix set), :cursor :limit; a range on (queue, key). */
  filterByKeyPrefix: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs AS j INDEXED BY kairos_jobs_key_prefix
    WHERE j.queue = :queue
      AND j.key >= :keyPrefix
      AND j.id < :cursor ${FILTERED}
    ORDER BY j.id DESC
    LIMIT :limit`,

  /** jobFilterByBatch — filter params (batchId set), :cursor :limit */
  filterByBatch: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs AS j
    WHERE j.batch_id = :batchId
      AND j.id < :cursor ${FILTERED}
    ORDER BY j.id DESC
    LIMIT :limit`,

  /** jobFilter — filter params, :cursor :limit; newest first along the primary key. */
  filter: `
    SELECT ${JOB_COLUMNS}
    FROM kairos_jobs AS j
    WHERE j.id < :cursor ${FILTERED}
    ORDER BY j.id DESC
    LIMIT :limit`,
} as const;
