/**
 * Named statements for the dashboard on the PostgreSQL driver: the instances table (heartbeats) and per-minute counts
 * of finished and due jobs. Each reads an index range; none scans the jobs table.
 */
import { nowOr, type Tables } from './tables.js';

/** The statements of the dashboard's reads and of instance heartbeats. */
export function insightSql(t: Tables & { instances: string }) {
  return {
    /** instanceHeartbeat — $1 id $2 host $3 pid $4 queues $5 now; inserts or moves the heartbeat (started_at kept). */
    instanceHeartbeat: `
      INSERT INTO ${t.instances} (id, host, pid, queues, started_at, heartbeat_at)
      VALUES ($1, $2, $3, $4, ${nowOr('$5')}, ${nowOr('$5')})
      ON CONFLICT (id) DO UPDATE
      SET host = excluded.host, pid = excluded.pid, queues = excluded.queues, heartbeat_at = excluded.heartbeat_at`,

    /** instanceList — no parameters; latest heartbeat first. */
    instanceList: `
      SELECT id, host, pid, queues, started_at AS "startedAt", heartbeat_at AS "heartbeatAt"
      FROM ${t.instances}
      ORDER BY heartbeat_at DESC, id`,

    /** instanceDelete — $1 id */
    instanceDelete: `
      DELETE FROM ${t.instances}
      WHERE id = $1`,

    /** instancePrune — $1 before */
    instancePrune: `
      DELETE FROM ${t.instances}
      WHERE heartbeat_at < $1`,

    /** jobFinishedByMinute — $1 from $2 to; a range of kairos_jobs_finished. */
    finishedByMinute: `
      SELECT (finished_at / 60000) * 60000 AS minute, queue, state, count(*) AS count,
        avg(started_at - run_at)::float8 AS "latenessAvgMs", max(started_at - run_at) AS "latenessMaxMs"
      FROM ${t.jobs}
      WHERE finished_at IS NOT NULL
        AND finished_at >= $1
        AND finished_at < $2
      GROUP BY 1, queue, state
      ORDER BY 1, queue, state`,

    /**
     * jobDueByMinute — $1 from $2 to; pending jobs only, read from the claim index (queue, priority, run_at) WHERE
     * state = 'scheduled', which covers the query.
     */
    dueByMinute: `
      SELECT (run_at / 60000) * 60000 AS minute, queue, count(*) AS count
      FROM ${t.jobs}
      WHERE state = 'scheduled'
        AND run_at >= $1
        AND run_at < $2
      GROUP BY 1, queue
      ORDER BY 1, queue`,
  } as const;
}
