/**
 * Named statements for the dashboard on the SQLite driver: the instances table (heartbeats) and per-minute counts of
 * finished and due jobs. Each reads an index range; none scans the jobs table.
 */
import { STATE_CODE as S, stateNameSql } from '../../state-codes.js';

export const insightSql = {
  /** instanceHeartbeat — :id :host :pid :queues :now; inserts or moves the heartbeat (started_at is kept). */
  instanceHeartbeat: `
    INSERT INTO kairos_instances (id, host, pid, queues, started_at, heartbeat_at)
    VALUES (:id, :host, :pid, :queues, :now, :now)
    ON CONFLICT (id) DO UPDATE
    SET host = excluded.host, pid = excluded.pid, queues = excluded.queues, heartbeat_at = excluded.heartbeat_at`,

  /** instanceList — no parameters; latest heartbeat first. */
  instanceList: `
    SELECT id, host, pid, queues, started_at AS startedAt, heartbeat_at AS heartbeatAt
    FROM kairos_instances
    ORDER BY heartbeat_at DESC, id`,

  /** instanceDelete — :id */
  instanceDelete: `
    DELETE FROM kairos_instances
    WHERE id = :id`,

  /** instancePrune — :before */
  instancePrune: `
    DELETE FROM kairos_instances
    WHERE heartbeat_at < :before`,

  /**
   * jobFinishedByMinute — :from :to; a range of kairos_jobs_finished. Lateness is the start of the last attempt
   * against the due time it was claimed for.
   */
  finishedByMinute: `
    SELECT (finished_at / 60000) * 60000 AS minute, queue, ${stateNameSql('state')} AS state, COUNT(*) AS count,
      AVG(started_at - run_at) AS latenessAvgMs, MAX(started_at - run_at) AS latenessMaxMs
    FROM kairos_jobs
    WHERE finished_at IS NOT NULL
      AND finished_at >= :from
      AND finished_at < :to
    GROUP BY 1, queue, kairos_jobs.state
    ORDER BY 1, queue, kairos_jobs.state`,

  /**
   * jobDueByMinute — :from :to; pending jobs only. Reads the claim index (queue, priority, run_at) WHERE state =
   * scheduled, which covers the query: every pending job is visited once, no table row is read.
   */
  dueByMinute: `
    SELECT (run_at / 60000) * 60000 AS minute, queue, COUNT(*) AS count
    FROM kairos_jobs
    WHERE state = ${S.scheduled}
      AND run_at >= :from
      AND run_at < :to
    GROUP BY 1, queue
    ORDER BY 1, queue`,
} as const;
