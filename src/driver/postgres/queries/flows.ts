/**
 * Named statements of the PostgreSQL driver for flows (migration 007): dependencies, batches, fallbacks, waiters,
 * tags, filtered lists and bulk actions. Rows several instances may touch are locked in id order.
 *
 * Planner trap (as in job-writes.ts): rows of a batch are locked by primary key alone (`id = ANY`), and the other
 * tests are made on the locked rows. With a state or flow test in the lock step, a fresh table's statistics made the
 * planner scan the whole table for every batch of a bulk cancel.
 */
import { HELD_RUN_AT } from '../../driver.js';
import { jobColumns } from './jobs.js';
import { nowOr, type Tables } from './tables.js';

const FINAL = `('completed', 'failed', 'cancelled', 'expired', 'skipped')`;

/**
 * The JobFilter predicates: $3 queue $4 states[] $5 tag $6 keyPrefix $7 keyEnd $8 batchId $9 createdFrom $10 createdTo
 * $11 runAtFrom $12 runAtTo $13 finishedFrom $14 finishedTo; a null leaves its field out. node-postgres sends unnamed
 * statements, which PostgreSQL plans with the values bound, so the null tests fold away and the indexes stay usable.
 */
function filtered(t: Tables, byTag = false): string {
  // Read along the tag already: no second probe per row.
  const tag = byTag ? '' : `
        AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM ${t.jobTags} AS t2 WHERE t2.tag = $5::text AND t2.job_id = j.id))`;
  return `
        AND ($3::text IS NULL OR j.queue = $3::text)
        AND ($4::text[] IS NULL OR j.state = ANY ($4::text[]))${tag}
        AND ($6::text IS NULL OR (j.key COLLATE "C" >= $6::text AND ($7::text IS NULL OR j.key COLLATE "C" < $7::text)))
        AND ($8::bigint IS NULL OR j.batch_id = $8::bigint)
        AND ($9::bigint IS NULL OR j.created_at >= $9::bigint)
        AND ($10::bigint IS NULL OR j.created_at < $10::bigint)
        AND ($11::bigint IS NULL OR j.run_at >= $11::bigint)
        AND ($12::bigint IS NULL OR j.run_at < $12::bigint)
        AND ($13::bigint IS NULL OR j.finished_at >= $13::bigint)
        AND ($14::bigint IS NULL OR j.finished_at < $14::bigint)`;
}

export function flowSql(t: Tables) {
  const cols = jobColumns('j.');
  const now = nowOr;
  return {
    /** flowLockDependencies — $1 id[]; the dependencies named at insert, locked so their end waits for this insert. */
    lockDependencies: `
      SELECT id, state
      FROM ${t.jobs}
      WHERE id = ANY ($1::bigint[])
      ORDER BY id
      FOR NO KEY UPDATE`,

    /** flowMarkDependents — $1 id[]; these jobs now have dependents waiting for their end. */
    markDependents: `
      UPDATE ${t.jobs}
      SET flow = flow | 1
      WHERE id = ANY ($1::bigint[])`,

    /** flowEdgesInsert — $1 dependsOn[] $2 jobId */
    edgesInsert: `
      INSERT INTO ${t.jobDeps} (depends_on, job_id)
      SELECT d, $2::bigint
      FROM unnest($1::bigint[]) AS d
      ON CONFLICT DO NOTHING`,

    /** flowHold — $1 id $2 pending $3 dependsOn $4 policy */
    hold: `
      UPDATE ${t.jobs}
      SET deps_pending = $2, run_after = run_at, run_at = ${HELD_RUN_AT}, depends_on = $3, dep_policy = $4
      WHERE id = $1
        AND state = 'scheduled'`,

    /** flowRecordDependencies — $1 id $2 dependsOn $3 policy */
    recordDependencies: `
      UPDATE ${t.jobs}
      SET depends_on = $2, dep_policy = $3
      WHERE id = $1`,

    /** flowCancelAtInsert — $1 id $2 now $3 reason $4 dependsOn $5 policy */
    cancelAtInsert: `
      UPDATE ${t.jobs}
      SET state = 'cancelled', finished_at = ${now('$2')}, last_error = $3, depends_on = $4, dep_policy = $5
      WHERE id = $1
        AND state = 'scheduled'`,

    /** flowTagsInsert — $1 id[]; tag rows from the jobs' tags JSON. */
    tagsInsert: `
      INSERT INTO ${t.jobTags} (tag, job_id)
      SELECT DISTINCT tg.tag, j.id
      FROM ${t.jobs} AS j
      CROSS JOIN LATERAL json_array_elements_text(j.tags::json) AS tg(tag)
      WHERE j.id = ANY ($1::bigint[])
        AND j.tags IS NOT NULL
      ON CONFLICT DO NOTHING`,

    /** flowTagsDelete — $1 id[] */
    tagsDelete: `
      DELETE FROM ${t.jobTags}
      WHERE job_id = ANY ($1::bigint[])`,

    /** flowTake — $1 id[]; ended jobs' pending consequences, cleared as they are written. */
    take: `
      WITH pending AS MATERIALIZED (
        SELECT id, flow, finished_at
        FROM ${t.jobs}
        WHERE id = ANY ($1::bigint[])
        ORDER BY id
        FOR NO KEY UPDATE
      )
      UPDATE ${t.jobs} AS j
      SET flow = 0
      FROM pending
      WHERE j.id = pending.id
        AND pending.flow <> 0
        AND pending.finished_at IS NOT NULL
      RETURNING j.id, j.queue, j.state, pending.flow`,

    /** flowEdgesTake — $1 id[]; the dependents of ended jobs, their edges deleted. */
    edgesTake: `
      DELETE FROM ${t.jobDeps}
      WHERE depends_on = ANY ($1::bigint[])
      RETURNING depends_on AS "dependsOn", job_id AS "jobId"`,

    /**
     * flowDependenciesEnded — $1 id[] $2 ended[] $3 bad[] $4 reason[] $5 now; per held job, how many of its
     * dependencies ended and how many of those did not complete. Policy 'cancel' and a bad end cancel it; else it
     * is counted down, and released at max(runAfter, now) when none is left. Locked in id order.
     */
    dependenciesEnded: `
      WITH f AS (
        SELECT *
        FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::text[]) AS f(id, ended, bad, reason)
      ),
      locked AS MATERIALIZED (
        SELECT j.id
        FROM ${t.jobs} AS j
        WHERE j.id = ANY ($1::bigint[])
        ORDER BY j.id
        FOR NO KEY UPDATE OF j
      )
      UPDATE ${t.jobs} AS j
      SET state        = CASE WHEN f.bad > 0 AND j.dep_policy = 'cancel' THEN 'cancelled' ELSE j.state END,
          finished_at  = CASE WHEN f.bad > 0 AND j.dep_policy = 'cancel' THEN ${now('$5')} ELSE j.finished_at END,
          last_error   = CASE WHEN f.bad > 0 AND j.dep_policy = 'cancel' THEN f.reason ELSE j.last_error END,
          deps_pending = CASE WHEN f.bad > 0 AND j.dep_policy = 'cancel' THEN j.deps_pending ELSE GREATEST(j.deps_pending - f.ended, 0) END,
          run_at       = CASE WHEN f.bad > 0 AND j.dep_policy = 'cancel' THEN j.run_at
                              WHEN j.deps_pending - f.ended <= 0 THEN GREATEST(COALESCE(j.run_after, ${now('$5')}), ${now('$5')})
                              ELSE j.run_at END
      FROM locked
      JOIN f ON f.id = locked.id
      WHERE j.id = locked.id
        AND j.state IS NOT DISTINCT FROM 'scheduled'
        AND j.deps_pending > 0
      RETURNING j.id, j.queue, j.state, j.run_at AS "runAt", j.deps_pending AS pending`,

    /**
     * flowFallbackCreate — $1 id[] $2 now; the one fallback job of each job that failed finally, when its queue
     * names a fallback queue: same payload, priority, attempts, backoff, timeout and tags, due now; linked both ways.
     * A fallback job gets none.
     */
    fallbackCreate: `
      WITH src AS MATERIALIZED (
        SELECT j.id, q.fallback, j.payload, j.priority, j.max_attempts, j.backoff, j.timeout_ms, j.tags
        FROM ${t.jobs} AS j
        JOIN ${t.queues} AS q ON q.name = j.queue
        WHERE j.id = ANY ($1::bigint[])
          AND j.state = 'failed'
          AND j.fallback_of IS NULL
          AND j.fallback_job_id IS NULL
          AND q.fallback IS NOT NULL
        ORDER BY j.id
      ),
      made AS (
        INSERT INTO ${t.jobs} (queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, tags, created_at, fallback_of)
        SELECT fallback, 'scheduled', payload, priority, ${now('$2')}, max_attempts, backoff, timeout_ms, tags, ${now('$2')}, id
        FROM src
        ORDER BY id
        RETURNING id, queue, run_at, fallback_of
      ),
      linked AS (
        UPDATE ${t.jobs} AS j
        SET fallback_job_id = made.id
        FROM made
        WHERE j.id = made.fallback_of
      )
      SELECT id, queue, run_at AS "runAt"
      FROM made`,

    /** flowWatch — $1 id; announce the end of a job that has not ended; returns the job as it is. */
    watch: `
      WITH marked AS (
        UPDATE ${t.jobs}
        SET flow = flow | 2
        WHERE id = $1
          AND finished_at IS NULL
        RETURNING id
      )
      SELECT ${cols}
      FROM ${t.jobs} AS j
      WHERE j.id = $1
        AND (SELECT count(*) FROM marked) >= 0`,

    /** flowUnresolved — $1 limit; ended jobs whose consequences were not written with their end; skips held rows. */
    unresolved: `
      SELECT id
      FROM ${t.jobs}
      WHERE flow <> 0
        AND finished_at IS NOT NULL
      ORDER BY id
      LIMIT $1
      FOR NO KEY UPDATE SKIP LOCKED`,

    /** flowPendingIds — $1 id[]; which of these jobs still have consequences to write. */
    pendingIds: `
      SELECT id
      FROM ${t.jobs}
      WHERE id = ANY ($1::bigint[])
        AND flow <> 0`,

    /** batchInsert — $1 total $2 now */
    batchInsert: `
      INSERT INTO ${t.batches} (total, created_at)
      VALUES ($1, ${now('$2')})
      RETURNING id`,

    /** batchSetCompletion — $1 id $2 jobId */
    batchSetCompletion: `
      UPDATE ${t.batches}
      SET completion_job_id = $2
      WHERE id = $1`,

    /** batchMarkMembers — $1 id[] $2 batchId */
    batchMarkMembers: `
      UPDATE ${t.jobs}
      SET batch_id = $2, flow = flow | 1
      WHERE id = ANY ($1::bigint[])`,

    /** batchEdges — $1 member[] $2 completionJobId */
    batchEdges: `
      INSERT INTO ${t.jobDeps} (depends_on, job_id)
      SELECT m, $2::bigint
      FROM unnest($1::bigint[]) AS m`,

    /** batchHoldCompletion — $1 id $2 batchId $3 pending */
    batchHoldCompletion: `
      UPDATE ${t.jobs}
      SET batch_id = $2, deps_pending = $3, run_after = run_at, run_at = ${HELD_RUN_AT}, dep_policy = 'run'
      WHERE id = $1`,

    /** batchGet — $1 id; the batch and its members by state, the completion job left out. */
    batchGet: `
      SELECT b.id, b.total, b.completion_job_id AS "completionJobId", b.created_at AS "createdAt",
        (SELECT json_object_agg(c.state, c.n)
         FROM (SELECT state, count(*) AS n
               FROM ${t.jobs}
               WHERE batch_id = b.id
                 AND id IS DISTINCT FROM b.completion_job_id
               GROUP BY state) AS c) AS counts
      FROM ${t.batches} AS b
      WHERE b.id = $1`,

    /** jobFilterByTag — $1 cursor $2 limit and the filter; newest first along (tag, job_id). */
    filterByTag: `
      SELECT ${cols}
      FROM ${t.jobTags} AS t
      JOIN ${t.jobs} AS j ON j.id = t.job_id
      WHERE t.tag = $5::text
        AND t.job_id < $1 ${filtered(t, true)}
      ORDER BY t.job_id DESC
      LIMIT $2`,

    /** jobFilterByKeyPrefix — $1 cursor $2 limit and the filter (queue and keyPrefix set); a range on (queue, key). */
    filterByKeyPrefix: `
      SELECT ${cols}
      FROM ${t.jobs} AS j
      WHERE j.queue = $3::text
        AND j.key COLLATE "C" >= $6::text
        AND j.id < $1 ${filtered(t)}
      ORDER BY j.id DESC
      LIMIT $2`,

    /** jobFilter — $1 cursor $2 limit and the filter; newest first. */
    filter: `
      SELECT ${cols}
      FROM ${t.jobs} AS j
      WHERE j.id < $1 ${filtered(t)}
      ORDER BY j.id DESC
      LIMIT $2`,

    /**
     * jobCancelMany — $1 id[] $2 now; the pending and running ones among them, locked in id order; a running one
     * gets a 'cancelled' attempt. Returns each with the owner it had.
     */
    cancelMany: `
      WITH picked AS MATERIALIZED (
        SELECT id, owner, attempt, started_at, state AS was
        FROM ${t.jobs}
        WHERE id = ANY ($1::bigint[])
        ORDER BY id
        FOR NO KEY UPDATE
      ),
      moved AS (
        UPDATE ${t.jobs} AS j
        SET state = 'cancelled', finished_at = ${now('$2')}, owner = NULL, lease_until = NULL
        FROM picked
        WHERE j.id = picked.id
          AND picked.was IN ('scheduled', 'running')
        RETURNING j.id, j.queue, picked.owner, picked.attempt, picked.started_at, picked.was, j.finished_at
      ),
      recorded AS (
        INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
        SELECT id, attempt, owner, COALESCE(started_at, finished_at), finished_at, 'cancelled', NULL, 'cancelled while running'
        FROM moved
        WHERE was = 'running'
          AND owner IS NOT NULL
      )
      SELECT id, queue, owner, was
      FROM moved
      ORDER BY id`,

    /** jobArchiveCompletedMany — $1 id[]; before completed jobs are replayed, their attempts move to kairos_attempts. */
    archiveCompletedMany: `
      INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
      SELECT id, attempt, COALESCE(worker_id, 'unknown'), started_at, finished_at, 'completed', NULL, NULL
      FROM ${t.jobs}
      WHERE id = ANY ($1::bigint[])
        AND state = 'completed'
        AND started_at IS NOT NULL`,

    /** jobReplayMany — $1 id[] $2 now; as jobReplay for the final ones among them. */
    replayMany: `
      UPDATE ${t.jobs}
      SET state = 'scheduled', run_at = ${now('$2')}, finished_at = NULL, result = NULL, deps_pending = 0,
          max_attempts = GREATEST(max_attempts, attempt + 1),
          deadline = CASE WHEN state = 'expired' THEN NULL ELSE deadline END
      WHERE id = ANY ($1::bigint[])
        AND state IN ${FINAL}
      RETURNING queue, run_at AS "runAt"`,

    /**
     * jobDeleteFinal — $1 id[]; the final ones among them with nothing left to set off, with their attempts, tags,
     * progress and log lines, and a batch whose completion job goes.
     */
    deleteFinal: `
      WITH gone AS (
        DELETE FROM ${t.jobs}
        WHERE id = ANY ($1::bigint[])
          AND state IN ${FINAL}
          AND flow = 0
        RETURNING id
      ),
      history AS (
        DELETE FROM ${t.attempts}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      labels AS (
        DELETE FROM ${t.jobTags}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      progress AS (
        DELETE FROM ${t.attemptProgress}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      logs AS (
        DELETE FROM ${t.attemptLogs}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      batches AS (
        DELETE FROM ${t.batches}
        WHERE completion_job_id IN (SELECT id FROM gone)
      )
      SELECT count(*)::integer AS count
      FROM gone`,
  } as const;
}
