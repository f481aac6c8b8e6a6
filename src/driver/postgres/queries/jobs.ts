/**
 * Named statements of the PostgreSQL driver that insert, claim and read kairos_jobs. One block per query with its
 * positional parameters; columns are aliased to the driver's row shape.
 */
import { nowOr, type Tables } from './tables.js';

/** The columns of a JobRow, aliased; `p` is a table alias with its dot, or ''. */
export function jobColumns(p = ''): string {
  return `${p}id, ${p}queue, ${p}state, ${p}payload, ${p}priority, ${p}run_at AS "runAt", ${p}key, ${p}attempt,
    ${p}max_attempts AS "maxAttempts", ${p}backoff, ${p}timeout_ms AS "timeoutMs", ${p}deadline, ${p}tags, ${p}owner,
    ${p}worker_id AS "workerId", ${p}lease_until AS "leaseUntil", ${p}started_at AS "startedAt", ${p}finished_at AS "finishedAt",
    ${p}created_at AS "createdAt", ${p}result, ${p}last_error AS "lastError", ${p}schedule_id AS "scheduleId",
    ${p}occurrence_at AS "occurrenceAt", ${p}depends_on AS "dependsOn", ${p}dep_policy AS "dependencyPolicy",
    ${p}deps_pending AS "dependenciesPending", ${p}run_after AS "runAfter", ${p}batch_id AS "batchId", ${p}fallback_of AS "fallbackOf",
    ${p}fallback_job_id AS "fallbackJobId", ${p}limiter, ${p}lane, ${p}partition_key AS "partitionKey"`;
}

/** The final states other than completed: migration 010's partial indexes hold jobs in these only. */
export const RARE_STATES = ['failed', 'cancelled', 'expired', 'skipped'] as const;
const RARE = RARE_STATES.map((s) => `'${s}'`).join(', ');

/** The statements over kairos_jobs that create, claim and read rows. */
export function jobSql(t: Tables) {
  const cols = jobColumns();
  /**
   * The batch insert's items ($1–$15, one array per column) with ids drawn first and numbered in id order, so the
   * k-th smallest id goes to the k-th item; shared by jobInsertBatch and jobInsertBatchAnnounced.
   */
  const batchInput = `
      WITH input AS (
        SELECT *
        FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::integer[], $6::text[], $7::integer[], $8::bigint[],
          $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::smallint[])
          WITH ORDINALITY AS i(queue, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags, schedule_id,
            occurrence_at, limiter, lane, partition_key, partition_mode, ord)
      ),
      drawn AS MATERIALIZED (
        SELECT nextval(${t.jobIdSeq}) AS id
        FROM input
      ),
      numbered AS (
        SELECT id, row_number() OVER (ORDER BY id) AS ord
        FROM drawn
      )`;
  /** The INSERT … SELECT of those items ($16 now). */
  const batchInsert = `INSERT INTO ${t.jobs} (id, queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags,
        created_at, schedule_id, occurrence_at, limiter, lane, partition_key, partition_mode)
      SELECT n.id, i.queue, 'scheduled', i.payload, i.priority, i.run_at, i.max_attempts, i.backoff, i.timeout_ms, i.deadline,
        i.tags, ${nowOr('$16')}, i.schedule_id, i.occurrence_at, i.limiter, i.lane, i.partition_key, i.partition_mode
      FROM input AS i
      JOIN numbered AS n ON n.ord = i.ord`;
  /**
   * The recursive step of the loose index scan over the priority levels of queue $1 that hold free pending jobs (not
   * waiting for a key's turn, not behind a limiter): the next level above the one found last. Shared by the claim
   * and jobNextDue.
   */
  const nextFreeLevel = `SELECT (SELECT j.priority
                FROM ${t.jobs} AS j
                WHERE j.state = 'scheduled'
                  AND NOT j.key_waiting
                  AND j.limiter IS NULL
                  AND j.queue = $1
                  AND j.priority > l.priority
                ORDER BY j.priority
                LIMIT 1)
        FROM levels AS l
        WHERE l.priority IS NOT NULL`;
  return {
    /**
     * jobInsertBatch — $1 queue[] $2 payload[] $3 priority[] $4 runAt[] $5 maxAttempts[] $6 backoff[] $7 timeoutMs[]
     * $8 deadline[] $9 tags[] $10 scheduleId[] $11 occurrenceAt[] $12 limiter[] $13 lane[] $14 partitionKey[]
     * $15 partitionMode[] $16 now
     * Keyless jobs, one statement for the batch. Ids are drawn first and handed out in item order (the k-th smallest
     * id to the k-th item), so the caller maps the returned ids, sorted, back to its items.
     */
    insertBatch: `
${batchInput}
      ${batchInsert}
      RETURNING id`,

    /**
     * jobInsertBatchAnnounced — as jobInsertBatch, plus $17 channel
     * The same insert on its own (outside any transaction of the caller's), with its job-available notifications
     * (one per queue, earliest runAt) sent by the same statement: one round trip instead of four (BEGIN, insert,
     * notify, COMMIT). The scalar subquery in WHERE is what makes the notify CTE run.
     */
    insertBatchAnnounced: `
${batchInput},
      inserted AS (
        ${batchInsert}
        -- A bounded queue is counted under its row's lock: such a batch inserts nothing here and the driver takes the
        -- transaction path (insertAll), which does.
        WHERE NOT EXISTS (SELECT 1 FROM ${t.queues} AS q WHERE q.name IN (SELECT DISTINCT queue FROM input) AND q.capacity IS NOT NULL)
        RETURNING id, queue, run_at
      ),
      announced AS (
        SELECT pg_notify($17, json_build_object('kind', 'job-available', 'queue', queue, 'runAt', min(run_at))::text)
        FROM inserted
        GROUP BY queue
      )
      SELECT id
      FROM inserted
      WHERE (SELECT count(*) FROM announced) >= 0`,

    /**
     * jobInsertKeyed — $1 queue $2 payload $3 priority $4 runAt $5 key $6 maxAttempts $7 backoff $8 timeoutMs
     * $9 deadline $10 tags $11 now $12 scheduleId $13 occurrenceAt $14 limiter $15 lane $16 partitionKey $17 partitionMode;
     * returns nothing when the key is taken.
     */
    insertKeyed: `
      INSERT INTO ${t.jobs} (queue, state, payload, priority, run_at, key, max_attempts, backoff, timeout_ms, deadline, tags,
        created_at, schedule_id, occurrence_at, limiter, lane, partition_key, partition_mode)
      VALUES ($1, 'scheduled', $2, $3, $4, $5, $6, $7, $8, $9, $10, ${nowOr('$11')}, $12, $13, $14, $15, $16, $17)
      ON CONFLICT (queue, key) WHERE key IS NOT NULL AND state IN ('scheduled', 'running', 'completed') DO NOTHING
      RETURNING id`,

    /** jobGetByKey — $1 queue $2 key; the job holding the key, if any. */
    getByKey: `
      SELECT id, state, run_at AS "runAt"
      FROM ${t.jobs}
      WHERE queue = $1
        AND key = $2
        AND state IN ('scheduled', 'running', 'completed')`,

    /**
     * jobReplacePending — $1 id $2 payload $3 priority $4 runAt $5 maxAttempts $6 backoff $7 timeoutMs $8 deadline
     * $9 tags; rewrites a job that has not started.
     */
    replacePending: `
      UPDATE ${t.jobs}
      SET payload = $2, priority = $3, run_at = $4, max_attempts = $5, backoff = $6, timeout_ms = $7, deadline = $8, tags = $9
      WHERE id = $1
        AND state = 'scheduled'
        AND attempt = 0
        -- A job held for its dependencies is kept (flows, migration 007): rewriting its run_at would release it.
        AND deps_pending = 0
      RETURNING id`,

    /**
     * jobClaimNextLevel — $1 queue $2 after $3 now $4 limit $5 owner $6 leaseMs
     * Claims from the lowest priority level above $2 that has a due job. The levels with pending jobs are walked with
     * one index seek each (a loose index scan) and each is asked for a due job with one more; the claim itself then
     * reads one level, so the claim index (queue, priority, run_at, id) gives a pure run_at range: future jobs are
     * never read. SKIP LOCKED lets instances claim side by side without waiting on each other. A due job past its
     * deadline becomes expired in the same statement. A paused queue (kairos_queues) yields nothing. Only free jobs
     * (no limiter, holding their key's turn) are in the index it reads; a queue with jobs behind a limiter yields
     * nothing and `limited` true (with `level` saying whether it has due free jobs), and the driver claims it in a
     * transaction instead (limiter-ops.ts). Always returns one row at least: `level` (null when no level above $2 has due
     * work), `limited`, the claimed columns (null when none).
     */
    claimNextLevel: `
      WITH RECURSIVE limited AS (
        SELECT 1
        FROM ${t.jobs}
        WHERE state = 'scheduled'
          AND NOT key_waiting
          AND limiter IS NOT NULL
          AND queue = $1
        LIMIT 1
      ),
      levels(priority) AS (
        (SELECT priority
         FROM ${t.jobs}
         WHERE state = 'scheduled'
           AND NOT key_waiting
           AND limiter IS NULL
           AND queue = $1
           AND priority > $2
           -- A paused queue has no levels: nothing is claimed, on any instance.
           AND NOT EXISTS (SELECT 1 FROM ${t.queues} WHERE name = $1 AND paused)
         ORDER BY priority
         LIMIT 1)
        UNION ALL
        ${nextFreeLevel}
      ),
      -- One probe per level, the earliest due job, LIMIT 1: written as EXISTS, the planner (on a fresh table's
      -- statistics) made it a hash semi-join that read every due job of the queue (3 of 4.5 ms per claim of 100);
      -- without the ORDER BY, on real statistics, it chose a sequential scan expecting an early match.
      level AS (
        SELECT l.priority
        FROM levels AS l
        CROSS JOIN LATERAL (
          SELECT 1
          FROM ${t.jobs} AS d
          WHERE d.state = 'scheduled'
            AND NOT d.key_waiting
            AND d.limiter IS NULL
            AND d.queue = $1
            AND d.priority = l.priority
            AND d.run_at <= ${nowOr('$3')}
          ORDER BY d.run_at
          LIMIT 1) AS due
        WHERE l.priority IS NOT NULL
        ORDER BY l.priority
        LIMIT 1
      ),
      picked AS MATERIALIZED (
        SELECT id
        FROM ${t.jobs}
        WHERE state = 'scheduled'
          AND NOT key_waiting
          AND limiter IS NULL
          AND queue = $1
          AND priority = (SELECT priority FROM level)
          AND run_at <= ${nowOr('$3')}
          -- A queue with jobs behind a limiter is claimed by the driver in a transaction (limiter-ops.ts).
          AND NOT EXISTS (SELECT 1 FROM limited)
        ORDER BY run_at, id
        LIMIT $4
        FOR NO KEY UPDATE SKIP LOCKED
      ),
      claimed AS (
        UPDATE ${t.jobs} AS j
        SET state       = CASE WHEN j.deadline < ${nowOr('$3')} THEN 'expired' ELSE 'running' END,
            attempt     = CASE WHEN j.deadline < ${nowOr('$3')} THEN j.attempt ELSE j.attempt + 1 END,
            owner       = CASE WHEN j.deadline < ${nowOr('$3')} THEN NULL ELSE $5 END,
            worker_id   = CASE WHEN j.deadline < ${nowOr('$3')} THEN j.worker_id ELSE $5 END,
            lease_until = CASE WHEN j.deadline < ${nowOr('$3')} THEN NULL ELSE ${nowOr('$3')} + $6 END,
            started_at  = CASE WHEN j.deadline < ${nowOr('$3')} THEN j.started_at ELSE ${nowOr('$3')} END,
            finished_at = CASE WHEN j.deadline < ${nowOr('$3')} THEN ${nowOr('$3')} ELSE NULL END
        FROM picked
        WHERE j.id = picked.id
        RETURNING j.id, j.queue, j.state, j.payload, j.priority, j.run_at AS "runAt", j.key, j.attempt, j.max_attempts AS "maxAttempts",
          j.backoff, j.timeout_ms AS "timeoutMs", j.deadline, j.tags, j.schedule_id AS "scheduleId", j.occurrence_at AS "occurrenceAt",
          j.limiter, j.lane, j.partition_key AS "partitionKey", ${nowOr('$3')} AS "startedAt"
      )
      SELECT (SELECT priority FROM level) AS level, EXISTS (SELECT 1 FROM limited) AS limited, c.*
      FROM (SELECT 1) AS one
      LEFT JOIN claimed AS c ON true`,

    /**
     * jobNextDue — $1 queue; the earliest pending run_at of free jobs over every priority level (flow.ts has the
     * limited ones). The levels are walked with one
     * index seek each (a loose index scan), then each level's earliest run_at is one more seek.
     */
    nextDue: `
      WITH RECURSIVE levels(priority) AS (
        (SELECT priority
         FROM ${t.jobs}
         WHERE state = 'scheduled'
           AND NOT key_waiting
           AND limiter IS NULL
           AND queue = $1
         ORDER BY priority
         LIMIT 1)
        UNION ALL
        ${nextFreeLevel}
      )
      SELECT min(first.run_at) AS "runAt"
      FROM levels AS l
      CROSS JOIN LATERAL (
        SELECT run_at
        FROM ${t.jobs}
        WHERE state = 'scheduled'
          AND NOT key_waiting
          AND limiter IS NULL
          AND queue = $1
          AND priority = l.priority
        ORDER BY run_at
        LIMIT 1) AS first
      WHERE l.priority IS NOT NULL`,

    /** jobLeaseNextExpiry — the earliest lease end among running jobs. */
    leaseNextExpiry: `
      SELECT min(lease_until) AS "leaseUntil"
      FROM ${t.jobs}
      WHERE state = 'running'`,

    /** jobGet — $1 id */
    get: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE id = $1`,

    /** jobCountsAll — jobs by queue and state. */
    countsAll: `
      SELECT queue, state, count(*) AS count
      FROM ${t.jobs}
      GROUP BY queue, state
      ORDER BY queue, state`,

    /** jobCountsByQueue — $1 queue */
    countsByQueue: `
      SELECT queue, state, count(*) AS count
      FROM ${t.jobs}
      WHERE queue = $1
      GROUP BY queue, state
      ORDER BY queue, state`,

    /** jobListAll — $1 cursor $2 limit; newest first. */
    listAll: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE id < $1
      ORDER BY id DESC
      LIMIT $2`,

    /** jobListByQueue — $1 cursor $2 limit $3 queue; kairos_jobs_queue_id backwards (migration 010). */
    listByQueue: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE queue = $3
        AND id < $1
      ORDER BY id DESC
      LIMIT $2`,

    /** jobListByState — $1 cursor $2 limit $3 state */
    listByState: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE state = $3
        AND id < $1
      ORDER BY id DESC
      LIMIT $2`,

    /**
     * jobListByRareState — $1 cursor $2 limit $3 state (failed, cancelled, expired or skipped). The literal list
     * repeats the partial index's predicate, so the plan may use kairos_jobs_rare_state whatever $3 is.
     */
    listByRareState: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE state = $3
        AND state IN (${RARE})
        AND id < $1
      ORDER BY id DESC
      LIMIT $2`,

    /** jobListByQueueRareState — $1 cursor $2 limit $3 queue $4 state (failed, cancelled, expired or skipped) */
    listByQueueRareState: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE queue = $3
        AND state = $4
        AND state IN (${RARE})
        AND id < $1
      ORDER BY id DESC
      LIMIT $2`,

    /** jobListByQueueState — $1 cursor $2 limit $3 queue $4 state */
    listByQueueState: `
      SELECT ${cols}
      FROM ${t.jobs}
      WHERE queue = $3
        AND state = $4
        AND id < $1
      ORDER BY id DESC
      LIMIT $2`,
  } as const;
}
