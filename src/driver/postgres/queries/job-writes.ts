/**
 * Named statements of the PostgreSQL driver that end, requeue, cancel, replay and prune jobs. Every write to a running
 * job is fenced by (state, owner, attempt); statements that lock several rows lock them in id order so that
 * completers, heartbeats and rescuers of many instances never wait on each other in a cycle.
 *
 * Planner traps (measured with auto_explain on a fresh table, whose statistics say it is empty): a batch's rows are
 * locked by primary key alone (`id = ANY`, in id order), and the fence (state, owner, attempt) is checked by the
 * UPDATE, on rows nobody else can change once locked. Its state test is `state IS NOT DISTINCT FROM 'running'`, not
 * `state = 'running'`: with the plain equality the partial indexes on running jobs (lease, owner) become candidates,
 * and the planner used the lease index for an id lookup, scanning all of it for every row (8 of 10 ms per batch of
 * 100); fencing inside the lock step made it join the batch with itself row by row (another 3 ms). The two state
 * tests mean the same for a NOT NULL column.
 */
import { jobColumns } from './jobs.js';
import { nowOr, type Tables } from './tables.js';

/** The statements over kairos_jobs (and the attempt rows they write) that change running and final jobs. */
export function jobWriteSql(t: Tables) {
  const now = (p: string) => nowOr(p);
  /** The completion of a batch, fenced per row, rows locked in id order; `extra` narrows which rows it takes. */
  const completeMany = (extra: string) => `
      WITH f AS (
        SELECT *
        FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[]) AS f(id, owner, attempt, result)
      ),
      locked AS MATERIALIZED (
        SELECT j.id
        FROM ${t.jobs} AS j
        WHERE j.id = ANY ($1::bigint[])
        ORDER BY j.id
        FOR NO KEY UPDATE OF j
      )
      UPDATE ${t.jobs} AS j
      SET state = 'completed', finished_at = ${now('$5')}, owner = NULL, lease_until = NULL, result = f.result
      FROM locked
      JOIN f ON f.id = locked.id
      WHERE j.id = locked.id
        AND j.state IS NOT DISTINCT FROM 'running'
        AND j.owner = f.owner
        AND j.attempt = f.attempt
        ${extra}
      RETURNING j.id, j.flow`;
  return {
    /**
     * jobCompleteMany — $1 id[] $2 owner[] $3 attempt[] $4 result[] $5 now; ids are distinct.
     * One statement for a batch, fenced per row; rows are locked in id order first. The completed attempt is not
     * copied to kairos_attempts: the job row (started_at, finished_at, worker_id) is its record.
     */
    completeMany: completeMany(''),

    /**
     * jobCompleteManyUnflowed — as jobCompleteMany, for a batch written without a transaction: it leaves out jobs
     * whose end has consequences to write (flow <> 0, migration 007), which the driver then completes in a
     * transaction. The test is re-evaluated on the row as locked, so a dependent inserted meanwhile is seen.
     */
    completeManyUnflowed: completeMany('AND j.flow = 0'),

    /**
     * jobFinishOthers — $1 idx[] $2 id[] $3 owner[] $4 attempt[] $5 state[] $6 runAt[] $7 giveBack[] $8 result[]
     * $9 error[] $10 startedAt[] $11 outcome[] $12 note[] $13 now; ids are distinct.
     * Retries, snoozes, hand-backs, failures and skips of a batch in one statement: the fenced job updates (rows
     * locked in id order) and one kairos_attempts row for each update that held. Returns the items that applied.
     */
    finishOthers: `
      WITH f AS (
        SELECT *
        FROM unnest($1::integer[], $2::bigint[], $3::text[], $4::integer[], $5::text[], $6::bigint[], $7::integer[], $8::text[],
          $9::text[], $10::bigint[], $11::text[], $12::text[])
          AS f(idx, id, owner, attempt, state, run_at, give_back, result, error, started_at, outcome, note)
      ),
      locked AS MATERIALIZED (
        SELECT j.id
        FROM ${t.jobs} AS j
        WHERE j.id = ANY ($2::bigint[])
        ORDER BY j.id
        FOR NO KEY UPDATE OF j
      ),
      moved AS (
        UPDATE ${t.jobs} AS j
        SET state       = f.state,
            run_at      = CASE WHEN f.state = 'scheduled' THEN COALESCE(f.run_at, ${now('$13')}) ELSE j.run_at END,
            attempt     = j.attempt - f.give_back,
            finished_at = CASE WHEN f.state = 'scheduled' THEN NULL ELSE ${now('$13')} END,
            owner       = NULL,
            lease_until = NULL,
            result      = CASE WHEN f.state = 'scheduled' THEN j.result ELSE f.result END,
            last_error  = COALESCE(f.error, j.last_error)
        FROM locked
        JOIN f ON f.id = locked.id
        WHERE j.id = locked.id
          AND j.state IS NOT DISTINCT FROM 'running'
          AND j.owner = f.owner
          AND j.attempt = f.attempt
        RETURNING f.idx, j.id, j.queue, j.state, j.run_at, j.flow
      ),
      recorded AS (
        INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
        SELECT f.id, f.attempt, f.owner, f.started_at, ${now('$13')}, f.outcome, f.error, f.note
        FROM moved
        JOIN f ON f.idx = moved.idx
        ORDER BY f.idx
      )
      SELECT idx, id, queue, state, run_at AS "runAt", flow
      FROM moved
      ORDER BY idx`,

    /** jobExtendLeases — $1 owner $2 leaseMs $3 now; returns the ids still held. Rows are locked in id order. */
    extendLeases: `
      WITH locked AS MATERIALIZED (
        SELECT id
        FROM ${t.jobs}
        WHERE state = 'running'
          AND owner = $1
        ORDER BY id
        FOR NO KEY UPDATE
      )
      UPDATE ${t.jobs} AS j
      SET lease_until = ${now('$3')} + $2
      FROM locked
      WHERE j.id = locked.id
        AND j.state = 'running'
        AND j.owner = $1
      RETURNING j.id`,

    /**
     * jobRescueExpired — $1 now $2 limit
     * Running jobs whose lease ended, oldest lease first: requeued at now with the attempt counted, or failed when it
     * was the last; each gets a 'lease-expired' attempt row. SKIP LOCKED: rescuers of several instances split the
     * work, and a row a completer holds is left to it.
     */
    rescueExpired: `
      WITH expired AS MATERIALIZED (
        SELECT id, owner, started_at, lease_until
        FROM ${t.jobs}
        WHERE state = 'running'
          AND lease_until < ${now('$1')}
        ORDER BY lease_until, id
        LIMIT $2
        FOR NO KEY UPDATE SKIP LOCKED
      ),
      moved AS (
        UPDATE ${t.jobs} AS j
        SET state       = CASE WHEN j.attempt >= j.max_attempts THEN 'failed' ELSE 'scheduled' END,
            run_at      = CASE WHEN j.attempt >= j.max_attempts THEN j.run_at ELSE ${now('$1')} END,
            finished_at = CASE WHEN j.attempt >= j.max_attempts THEN ${now('$1')} ELSE NULL END,
            owner       = NULL,
            lease_until = NULL,
            last_error  = '{"name":"LeaseExpired","message":'
              || to_json('lease of worker ' || j.owner || ' expired before attempt ' || j.attempt || ' finished')::text || '}'
        FROM expired
        WHERE j.id = expired.id
        RETURNING j.id, j.queue, j.attempt, expired.owner, j.state, expired.started_at, expired.lease_until, j.last_error, j.run_at
      ),
      recorded AS (
        INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
        SELECT id, attempt, owner, started_at, ${now('$1')}, 'lease-expired', last_error, NULL
        FROM moved
        ORDER BY lease_until, id
      )
      SELECT id, queue, attempt, owner, state, run_at AS "runAt"
      FROM moved
      ORDER BY lease_until, id`,

    /** jobLockById — $1 id; the row, locked for a cancel. */
    lockById: `
      SELECT ${jobColumns()}
      FROM ${t.jobs}
      WHERE id = $1
      FOR NO KEY UPDATE`,

    /** jobLockActiveByKey — $1 queue $2 key; the pending or running job holding a key, locked for a cancel. */
    lockActiveByKey: `
      SELECT ${jobColumns()}
      FROM ${t.jobs}
      WHERE queue = $1
        AND key = $2
        AND state IN ('scheduled', 'running')
      FOR NO KEY UPDATE`,

    /** jobCancel — $1 id $2 now; from scheduled or running. */
    cancel: `
      UPDATE ${t.jobs}
      SET state = 'cancelled', finished_at = ${now('$2')}, owner = NULL, lease_until = NULL
      WHERE id = $1
        AND state IN ('scheduled', 'running')
      RETURNING finished_at AS "finishedAt"`,

    /** jobArchiveCompletedAttempt — $1 id; before a completed job is replayed, its attempt moves to kairos_attempts. */
    archiveCompletedAttempt: `
      INSERT INTO ${t.attempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error, note)
      SELECT id, attempt, COALESCE(worker_id, 'unknown'), started_at, finished_at, 'completed', NULL, NULL
      FROM ${t.jobs}
      WHERE id = $1
        AND state = 'completed'
        AND started_at IS NOT NULL`,

    /**
     * jobReplay — $1 id $2 now; a final job back to scheduled, same id. One more attempt when none is left; an
     * expired job loses its deadline, since replaying it means "run it anyway".
     */
    replay: `
      UPDATE ${t.jobs}
      SET state = 'scheduled', run_at = ${now('$2')}, finished_at = NULL, result = NULL, deps_pending = 0,
          max_attempts = GREATEST(max_attempts, attempt + 1),
          deadline = CASE WHEN state = 'expired' THEN NULL ELSE deadline END
      WHERE id = $1
        AND state IN ('completed', 'failed', 'cancelled', 'expired', 'skipped')
      RETURNING ${jobColumns()}`,

    /**
     * jobPrune — $1 finishedBefore $2 failedBefore $3 limit
     * Final jobs past their retention, oldest first, with their attempts, progress and log lines; rows another transaction holds are left for
     * the next pass.
     */
    prune: `
      WITH doomed AS MATERIALIZED (
        SELECT id
        FROM ${t.jobs}
        WHERE finished_at IS NOT NULL
          AND finished_at < GREATEST($1::bigint, $2::bigint)
          AND finished_at < CASE WHEN state = 'failed' THEN $2::bigint ELSE $1::bigint END
        ORDER BY finished_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      ),
      gone AS (
        DELETE FROM ${t.jobs} AS j
        USING doomed
        WHERE j.id = doomed.id
        RETURNING j.id
      ),
      history AS (
        DELETE FROM ${t.attempts}
        WHERE job_id IN (SELECT id FROM gone)      ),
      reported AS (
        DELETE FROM ${t.attemptProgress}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      logged AS (
        DELETE FROM ${t.attemptLogs}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      labels AS (
        DELETE FROM ${t.jobTags}
        WHERE job_id IN (SELECT id FROM gone)
      ),
      batches AS (
        DELETE FROM ${t.batches}
        WHERE completion_job_id IN (SELECT id FROM gone)
      )
      SELECT count(*) AS count
      FROM gone`,
  } as const;
}
