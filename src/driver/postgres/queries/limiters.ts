/**
 * Named statements of flow control for the PostgreSQL driver: limiters (kairos_limiters), the claim of jobs behind a
 * limiter, queue capacity. "Limited" below means scheduled, holding its key's turn (or keyless), with a limiter: the
 * rows of kairos_jobs_claim_limited. Statements about one (limiter, lane) group come in two forms, for a lane and for
 * jobs without one, so each is a plain index range.
 */
import { nowOr, type Tables } from './tables.js';

const LIMITER_COLUMNS = `id, concurrency, lanes, lend, rate_limit AS "rateLimit", rate_per_ms AS "ratePerMs", version, created_at AS "createdAt",
  updated_at AS "updatedAt"`;
const LIMITED = `state = 'scheduled' AND NOT key_waiting AND limiter IS NOT NULL`;

/** The statements of one (limiter, lane) group; `lane(alias)` is the SQL test of the lane column ($3 or IS NULL). */
function groupSql(t: Tables, laneOf: (alias: string) => string) {
  const lane = laneOf('');
  return {
    /**
     * groupDue — $1 queue $2 limiter $3 lane $4 now $5 limit; up to $5 due jobs of the group in claim order, locked
     * (skipping rows others hold). The group's priority levels are walked with one index seek each, and each level is
     * read as a run_at range, so future jobs are never read — the level walk of jobClaimNextLevel in one statement.
     */
    due: `
      WITH RECURSIVE levels(priority) AS (
        (SELECT priority
         FROM ${t.jobs}
         WHERE ${LIMITED} AND queue = $1 AND limiter = $2 AND ${lane}
         ORDER BY priority
         LIMIT 1)
        UNION ALL
        SELECT (SELECT j.priority
                FROM ${t.jobs} AS j
                WHERE j.state = 'scheduled' AND NOT j.key_waiting AND j.limiter IS NOT NULL
                  AND j.queue = $1 AND j.limiter = $2 AND ${laneOf('j.')} AND j.priority > l.priority
                ORDER BY j.priority
                LIMIT 1)
        FROM levels AS l
        WHERE l.priority IS NOT NULL
      )
      SELECT d.*
      FROM levels AS l
      CROSS JOIN LATERAL (
        SELECT id, priority, run_at AS "runAt", deadline, limiter, lane
        FROM ${t.jobs}
        WHERE ${LIMITED} AND queue = $1 AND limiter = $2 AND ${lane} AND priority = l.priority AND run_at <= ${nowOr('$4')}
        ORDER BY run_at, id
        LIMIT $5
        FOR NO KEY UPDATE SKIP LOCKED) AS d
      WHERE l.priority IS NOT NULL
      ORDER BY d.priority, d."runAt", d.id
      LIMIT $5`,

    /** groupNextPriority — $1 queue $2 limiter $3 lane (when named) $4 after */
    nextPriority: `
      SELECT priority
      FROM ${t.jobs}
      WHERE ${LIMITED}
        AND queue = $1
        AND limiter = $2
        AND ${lane}
        AND priority > $4
      ORDER BY priority
      LIMIT 1`,

    /** groupDueAtPriority — $1 queue $2 limiter $3 lane $4 priority $5 now $6 limit; locked, skipping rows others hold. */
    dueAtPriority: `
      SELECT id, priority, run_at AS "runAt", deadline, limiter, lane
      FROM ${t.jobs}
      WHERE ${LIMITED}
        AND queue = $1
        AND limiter = $2
        AND ${lane}
        AND priority = $4
        AND run_at <= ${nowOr('$5')}
      ORDER BY run_at, id
      LIMIT $6
      FOR NO KEY UPDATE SKIP LOCKED`,

    /** groupEarliestAtPriority — $1 queue $2 limiter $3 lane $4 priority */
    earliestAtPriority: `
      SELECT run_at AS "runAt"
      FROM ${t.jobs}
      WHERE ${LIMITED}
        AND queue = $1
        AND limiter = $2
        AND ${lane}
        AND priority = $4
      ORDER BY run_at
      LIMIT 1`,
  };
}

/** The (limiter, lane) groups of a queue's limited jobs, as CTE g, by a loose index scan: $1 queue. */
function groupsCte(t: Tables): string {
  return `
      WITH RECURSIVE g(limiter, lane) AS (
        (SELECT limiter, lane FROM ${t.jobs} WHERE ${LIMITED} AND queue = $1 ORDER BY limiter, lane LIMIT 1)
        UNION ALL
        SELECT n.limiter, n.lane
        FROM g
        CROSS JOIN LATERAL (
          SELECT * FROM (
            (SELECT limiter, lane FROM ${t.jobs}
             WHERE ${LIMITED} AND queue = $1 AND limiter = g.limiter AND g.lane IS NOT NULL AND lane > g.lane
             ORDER BY lane LIMIT 1)
            UNION ALL
            (SELECT limiter, lane FROM ${t.jobs}
             WHERE ${LIMITED} AND queue = $1 AND limiter = g.limiter AND g.lane IS NOT NULL AND lane IS NULL
             LIMIT 1)
            UNION ALL
            (SELECT limiter, lane FROM ${t.jobs}
             WHERE ${LIMITED} AND queue = $1 AND limiter > g.limiter
             ORDER BY limiter, lane LIMIT 1)
          ) AS c
          LIMIT 1
        ) AS n
      )`;
}

export function limiterSql(t: Tables) {
  return {
    /** limiterGet — $1 id */
    limiterGet: `SELECT ${LIMITER_COLUMNS} FROM ${t.limiters} WHERE id = $1`,

    /** limiterList — every limiter by id. */
    limiterList: `SELECT ${LIMITER_COLUMNS} FROM ${t.limiters} ORDER BY id`,

    /** limiterDelete — $1 id */
    limiterDelete: `DELETE FROM ${t.limiters} WHERE id = $1`,

    /** limiterUpsert — $1 id $2 concurrency $3 lanes $4 lend $5 rateLimit $6 ratePerMs $7 now; keeps the rate log. */
    limiterUpsert: `
      INSERT INTO ${t.limiters} AS l (id, concurrency, lanes, lend, rate_limit, rate_per_ms, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, ${nowOr('$7')}, ${nowOr('$7')})
      ON CONFLICT (id) DO UPDATE
      SET concurrency = EXCLUDED.concurrency, lanes = EXCLUDED.lanes, lend = EXCLUDED.lend, rate_limit = EXCLUDED.rate_limit,
          rate_per_ms = EXCLUDED.rate_per_ms, updated_at = EXCLUDED.updated_at, version = l.version + 1
      RETURNING ${LIMITER_COLUMNS}, (xmax = 0) AS created`,

    /** limiterRead — $1 id; the definition and rate log (status). */
    limiterRead: `SELECT ${LIMITER_COLUMNS}, rate_log AS "rateLog" FROM ${t.limiters} WHERE id = $1`,

    /** limiterSetLog — $1 id $2 log */
    limiterSetLog: `UPDATE ${t.limiters} SET rate_log = $2 WHERE id = $1`,

    /** limiterRunning — $1 limiter $2 now; running attempts per lane whose lease has not ended. */
    limiterRunning: `
      SELECT lane, count(*)::integer AS count
      FROM ${t.jobs}
      WHERE state = 'running'
        AND limiter = $1
        AND lease_until >= ${nowOr('$2')}
      GROUP BY lane`,

    /** limiterWaiting — $1 limiter $2 now; due jobs per lane with the oldest runAt (status only). */
    limiterWaiting: `
      SELECT lane, count(*)::integer AS count, min(run_at) AS "oldestRunAt"
      FROM ${t.jobs}
      WHERE ${LIMITED}
        AND limiter = $1
        AND run_at <= ${nowOr('$2')}
      GROUP BY lane`,

    /** lanesWithDue — $1 limiter $2 lanes[] $3 now; which of the lanes have due work (one probe each). */
    lanesWithDue: `
      SELECT l.lane
      FROM unnest($2::text[]) AS l(lane)
      WHERE EXISTS (SELECT 1 FROM ${t.jobs}
                    WHERE ${LIMITED} AND limiter = $1 AND lane = l.lane AND run_at <= ${nowOr('$3')})`,

    /**
     * flowStart — $1 queue $2 now; the claim's instant (fixed once for the whole transaction), the queue's pause flag,
     * its groups (as flowGroups), and the rows of their limiters, locked (FOR UPDATE, in id order) until the claim
     * commits: claims of one limiter run one after another on every instance. What the claim counts next (running
     * attempts, due work) is read by later statements, whose snapshots see everything the previous holder of the lock
     * committed.
     */
    start: `${groupsCte(t)},
      locked AS (
        SELECT id, concurrency, lanes, lend, rate_limit AS "rateLimit", rate_per_ms AS "ratePerMs", rate_log AS "rateLog"
        FROM ${t.limiters}
        WHERE id IN (SELECT limiter FROM g)
        ORDER BY id
        FOR UPDATE
      )
      SELECT ${nowOr('$2')} AS now,
        COALESCE((SELECT paused FROM ${t.queues} WHERE name = $1), false) AS paused,
        COALESCE((SELECT json_agg(json_build_object('limiter', limiter, 'lane', lane) ORDER BY limiter) FROM g), '[]'::json) AS groups,
        COALESCE((SELECT json_agg(row_to_json(locked)) FROM locked), '[]'::json) AS limiters`,

    /** groups — $1 queue; the (limiter, lane) groups of the queue's limited jobs (loose scan). */
    groups: `${groupsCte(t)}
      SELECT limiter, lane
      FROM g`,

    /** queuePaused — $1 queue */
    queuePaused: `SELECT paused FROM ${t.queues} WHERE name = $1`,

    /** freeNextPriority — $1 queue $2 after; the next level of free jobs. */
    freeNextPriority: `
      SELECT priority
      FROM ${t.jobs}
      WHERE state = 'scheduled'
        AND NOT key_waiting
        AND limiter IS NULL
        AND queue = $1
        AND priority > $2
      ORDER BY priority
      LIMIT 1`,

    /** freeDueAtPriority — $1 queue $2 priority $3 now $4 limit; due free jobs of one level, locked, skipping held rows. */
    freeDueAtPriority: `
      SELECT id, priority, run_at AS "runAt", deadline, NULL::text AS limiter, NULL::text AS lane
      FROM ${t.jobs}
      WHERE state = 'scheduled'
        AND NOT key_waiting
        AND limiter IS NULL
        AND queue = $1
        AND priority = $2
        AND run_at <= ${nowOr('$3')}
      ORDER BY run_at, id
      LIMIT $4
      FOR NO KEY UPDATE SKIP LOCKED`,

    named: groupSql(t, (a) => `${a}lane = $3`),
    unnamed: groupSql(t, (a) => `$3::text IS NULL AND ${a}lane IS NULL`),

    /**
     * claimIds — $1 ids[] $2 now $3 owner $4 leaseMs $5 limiterIds[] $6 logs[]; claims the chosen jobs (as
     * jobClaimNextLevel does) and writes the rate logs of the limiters that started jobs, in one statement.
     */
    claimIds: `
      WITH logs AS (
        UPDATE ${t.limiters} AS l
        SET rate_log = x.log
        FROM unnest($5::text[], $6::text[]) AS x(id, log)
        WHERE l.id = x.id
        RETURNING 1
      )
      UPDATE ${t.jobs} AS j
      SET state       = CASE WHEN j.deadline < ${nowOr('$2')} THEN 'expired' ELSE 'running' END,
          attempt     = CASE WHEN j.deadline < ${nowOr('$2')} THEN j.attempt ELSE j.attempt + 1 END,
          owner       = CASE WHEN j.deadline < ${nowOr('$2')} THEN NULL ELSE $3 END,
          worker_id   = CASE WHEN j.deadline < ${nowOr('$2')} THEN j.worker_id ELSE $3 END,
          lease_until = CASE WHEN j.deadline < ${nowOr('$2')} THEN NULL ELSE ${nowOr('$2')} + $4 END,
          started_at  = CASE WHEN j.deadline < ${nowOr('$2')} THEN j.started_at ELSE ${nowOr('$2')} END,
          finished_at = CASE WHEN j.deadline < ${nowOr('$2')} THEN ${nowOr('$2')} ELSE NULL END
      WHERE j.id = ANY($1::bigint[])
        AND j.state = 'scheduled'
      RETURNING j.id, j.queue, j.state, j.payload, j.priority, j.run_at AS "runAt", j.key, j.attempt, j.max_attempts AS "maxAttempts",
        j.backoff, j.timeout_ms AS "timeoutMs", j.deadline, j.tags, j.schedule_id AS "scheduleId", j.occurrence_at AS "occurrenceAt",
        j.limiter, j.lane, j.partition_key AS "partitionKey", ${nowOr('$2')} AS "startedAt"`,

    /** now — $1 now; the claim's instant, fixed once for the whole transaction's arithmetic. */
    now: `SELECT ${nowOr('$1')} AS now`,

    /** lockBounded — $1 queues[]; the bounded queues among them, locked until the insert commits. */
    lockBounded: `
      SELECT name, capacity
      FROM ${t.queues}
      WHERE name = ANY($1::text[])
        AND capacity IS NOT NULL
      ORDER BY name
      FOR UPDATE`,

    /**
     * queueActiveUpTo — $1 queue $2 cap; jobs of the queue pending or running, counted up to $2 + 1. Each part reads
     * the partial index that holds it (free, limited, waiting for a key's turn, running), never the finished rows.
     */
    queueActiveUpTo: `
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM ${t.jobs}
                               WHERE state = 'scheduled' AND NOT key_waiting AND limiter IS NULL AND queue = $1 LIMIT $2 + 1) AS a)
      + (SELECT count(*) FROM (SELECT 1 FROM ${t.jobs} WHERE ${LIMITED} AND queue = $1 LIMIT $2 + 1) AS b)
      + (SELECT count(*) FROM (SELECT 1 FROM ${t.jobs}
                               WHERE state IN ('scheduled', 'running') AND partition_key IS NOT NULL AND key_waiting AND queue = $1
                               LIMIT $2 + 1) AS c)
      + (SELECT count(*) FROM (SELECT 1 FROM ${t.jobs} WHERE state = 'running' AND queue = $1 LIMIT $2 + 1) AS d) AS count`,
  } as const;
}
