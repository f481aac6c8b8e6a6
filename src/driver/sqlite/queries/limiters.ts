/**
 * Named statements of flow control for the SQLite driver: limiters (kairos_limiters), the claim of jobs behind a
 * limiter, queue capacity. "Limited" below means scheduled, holding its key's turn (or keyless), with a limiter: the
 * rows of kairos_jobs_claim_limited.
 */
import { STATE_CODE as S } from '../../state-codes.js';

const LIMITER_COLUMNS = `id, concurrency, lanes, lend, rate_limit AS rateLimit, rate_per_ms AS ratePerMs, version, created_at AS createdAt,
  updated_at AS updatedAt`;
const LIMITED = `state = ${S.scheduled} AND key_waiting = 0 AND limiter IS NOT NULL`;

export const limiterSql = {
  /** limiterGet — :id */
  limiterGet: `SELECT ${LIMITER_COLUMNS} FROM kairos_limiters WHERE id = :id`,

  /** limiterForClaim — :id; the definition and the rate log. */
  limiterForClaim: `SELECT ${LIMITER_COLUMNS}, rate_log AS rateLog FROM kairos_limiters WHERE id = :id`,

  /** limiterList — every limiter by id. */
  limiterList: `SELECT ${LIMITER_COLUMNS} FROM kairos_limiters ORDER BY id`,

  /** limiterDelete — :id */
  limiterDelete: `DELETE FROM kairos_limiters WHERE id = :id`,

  /** limiterUpsert — :id :concurrency :lanes :lend :rateLimit :ratePerMs :now; keeps the rate log. */
  limiterUpsert: `
    INSERT INTO kairos_limiters (id, concurrency, lanes, lend, rate_limit, rate_per_ms, created_at, updated_at)
    VALUES (:id, :concurrency, :lanes, :lend, :rateLimit, :ratePerMs, :now, :now)
    ON CONFLICT (id) DO UPDATE
    SET concurrency = excluded.concurrency, lanes = excluded.lanes, lend = excluded.lend, rate_limit = excluded.rate_limit,
        rate_per_ms = excluded.rate_per_ms, updated_at = excluded.updated_at, version = version + 1
    RETURNING ${LIMITER_COLUMNS}`,

  /** limiterSetLog — :id :log */
  limiterSetLog: `UPDATE kairos_limiters SET rate_log = :log WHERE id = :id`,

  /** limiterRunning — :limiter :now; running attempts per lane whose lease has not ended. */
  limiterRunning: `
    SELECT lane, COUNT(*) AS count
    FROM kairos_jobs
    WHERE state = ${S.running}
      AND limiter = :limiter
      AND lease_until >= :now
    GROUP BY lane`,

  /** limiterWaiting — :limiter :now; due jobs per lane, with the oldest runAt (status only). */
  limiterWaiting: `
    SELECT lane, COUNT(*) AS count, MIN(run_at) AS oldestRunAt
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND limiter = :limiter
      AND run_at <= :now
    GROUP BY lane`,

  /** laneHasDue — :limiter :lane :now; whether a lane has due work (lending keeps its reserved slots then). */
  laneHasDue: `
    SELECT 1
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND limiter = :limiter
      AND lane = :lane
      AND run_at <= :now
    LIMIT 1`,

  /** queueHasLimited — :queue; whether the queue has limited jobs (then the claim goes through limiter-ops.ts). */
  queueHasLimited: `
    SELECT 1
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
    LIMIT 1`,

  /** queuePaused — :queue */
  queuePaused: `SELECT 1 FROM kairos_queues WHERE name = :queue AND paused = 1`,

  /** groupFirst — :queue; the first (limiter, lane) of the queue's limited jobs (one seek of a loose index scan). */
  groupFirst: `
    SELECT limiter, lane
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
    ORDER BY limiter, lane
    LIMIT 1`,

  /** groupNextLane — :queue :limiter :lane; the next lane of the same limiter after a non-null lane. */
  groupNextLane: `
    SELECT limiter, lane
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter = :limiter
      AND lane > :lane
    ORDER BY lane
    LIMIT 1`,

  /** groupFirstNamedLane — :queue :limiter; the first non-null lane of a limiter (after its jobs without a lane). */
  groupFirstNamedLane: `
    SELECT limiter, lane
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter = :limiter
      AND lane IS NOT NULL
    ORDER BY lane
    LIMIT 1`,

  /** groupNextLimiter — :queue :limiter; the first group of the next limiter. */
  groupNextLimiter: `
    SELECT limiter, lane
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter > :limiter
    ORDER BY limiter, lane
    LIMIT 1`,

  /** groupNextPriority — :queue :limiter :lane :after; the next priority level of a group. */
  groupNextPriority: `
    SELECT priority
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter = :limiter
      AND lane IS :lane
      AND priority > :after
    ORDER BY priority
    LIMIT 1`,

  /** groupDueAtPriority — :queue :limiter :lane :priority :now :limit; due jobs of one level of a group, claim order. */
  groupDueAtPriority: `
    SELECT id, priority, run_at AS runAt, deadline, limiter, lane
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter = :limiter
      AND lane IS :lane
      AND priority = :priority
      AND run_at <= :now
    ORDER BY run_at, id
    LIMIT :limit`,

  /** groupEarliestAtPriority — :queue :limiter :lane :priority; the earliest runAt of one level of a group. */
  groupEarliestAtPriority: `
    SELECT run_at AS runAt
    FROM kairos_jobs
    WHERE ${LIMITED}
      AND queue = :queue
      AND limiter = :limiter
      AND lane IS :lane
      AND priority = :priority
    ORDER BY run_at
    LIMIT 1`,

  /** freeDueAtPriority — :queue :priority :now :limit; due free jobs of one level (the candidates merged with limited ones). */
  freeDueAtPriority: `
    SELECT id, priority, run_at AS runAt, deadline, NULL AS limiter, NULL AS lane
    FROM kairos_jobs
    WHERE state = ${S.scheduled}
      AND key_waiting = 0
      AND limiter IS NULL
      AND queue = :queue
      AND priority = :priority
      AND run_at <= :now
    ORDER BY run_at, id
    LIMIT :limit`,

  /** claimIds — :ids (JSON array) :now :owner :leaseUntil; claims the chosen jobs (as jobClaimAtPriority does). */
  claimIds: `
    UPDATE kairos_jobs
    SET state       = CASE WHEN deadline < :now THEN ${S.expired} ELSE ${S.running} END,
        attempt     = CASE WHEN deadline < :now THEN attempt ELSE attempt + 1 END,
        owner       = CASE WHEN deadline < :now THEN NULL ELSE :owner END,
        worker_id   = CASE WHEN deadline < :now THEN worker_id ELSE :owner END,
        lease_until = CASE WHEN deadline < :now THEN NULL ELSE :leaseUntil END,
        started_at  = CASE WHEN deadline < :now THEN started_at ELSE :now END,
        finished_at = CASE WHEN deadline < :now THEN :now ELSE NULL END
    WHERE id IN (SELECT value FROM json_each(:ids))
      AND state = ${S.scheduled}
    RETURNING id, state, payload, priority, run_at, key, attempt, max_attempts, backoff, timeout_ms, deadline, tags, schedule_id,
      occurrence_at, limiter, lane, partition_key`,

  /** queueLimiter — :queue; the limiter and lane a queue gives the jobs that name no limiter. */
  queueLimiter: `SELECT limiter, lane FROM kairos_queues WHERE name = :queue AND limiter IS NOT NULL`,

  /** queueCapacity — :queue; the capacity of a bounded queue. */
  queueCapacity: `SELECT capacity FROM kairos_queues WHERE name = :queue AND capacity IS NOT NULL`,

  /**
   * queueActiveUpTo — :queue :cap; jobs of the queue pending or running, counted up to :cap + 1. Each part reads the
   * partial index that holds it (free, limited, waiting for a key's turn, running), never the finished rows.
   */
  queueActiveUpTo: `
    SELECT
      (SELECT COUNT(*) FROM (SELECT 1 FROM kairos_jobs
                             WHERE state = ${S.scheduled} AND key_waiting = 0 AND limiter IS NULL AND queue = :queue LIMIT :cap + 1))
    + (SELECT COUNT(*) FROM (SELECT 1 FROM kairos_jobs WHERE ${LIMITED} AND queue = :queue LIMIT :cap + 1))
    + (SELECT COUNT(*) FROM (SELECT 1 FROM kairos_jobs
                             WHERE state <= ${S.running} AND partition_key IS NOT NULL AND queue = :queue AND key_waiting = 1 LIMIT :cap + 1))
    + (SELECT COUNT(*) FROM (SELECT 1 FROM kairos_jobs WHERE state = ${S.running} AND queue = :queue LIMIT :cap + 1)) AS count`,
} as const;
