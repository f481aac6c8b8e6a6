/** Named statements on kairos_schedules, kairos_occurrences and kairos_calendars for the PostgreSQL driver. */
import { nowOr, type Tables } from './tables.js';

/** The columns of a ScheduleRow (with the state of its latest job), aliased; `s` is the schedule, `j` its last job. */
const SCHEDULE_COLUMNS = `s.id, s.queue, s.rule, s.payload, s.job_options AS "jobOptions", s.misfire, s.catch_up_limit AS "catchUpLimit",
  s.misfire_grace_ms AS "misfireGraceMs", s.overlap, s.deadline_ms AS "deadlineMs", s.spread_ms AS "spreadMs", s.start_at AS "startAt",
  s.end_at AS "endAt", s.max_runs AS "maxRuns", s.runs, s.paused, s.next_at AS "nextAt", s.next_fire_at AS "nextFireAt",
  s.buffered_at AS "bufferedAt", s.last_occurrence_at AS "lastOccurrenceAt", s.last_job_id AS "lastJobId", s.source,
  s.created_at AS "createdAt", s.updated_at AS "updatedAt", s.version, j.state AS "lastJobState"`;

/** The statements over kairos_schedules, on the tables of `t`. */
export function scheduleSql(t: Tables) {
  const from = `${t.schedules} AS s
      LEFT JOIN ${t.jobs} AS j ON j.id = s.last_job_id`;
  return {
    /**
     * scheduleInsert — $1 id $2 queue $3 rule $4 payload $5 jobOptions $6 misfire $7 catchUpLimit $8 misfireGraceMs
     * $9 overlap $10 deadlineMs $11 spreadMs $12 startAt $13 endAt $14 maxRuns $15 paused $16 nextAt $17 nextFireAt
     * $18 source $19 now
     * The create half of the compare-and-set upsert: nothing when the id exists.
     */
    insert: `
      WITH s AS (
        INSERT INTO ${t.schedules} (id, queue, rule, payload, job_options, misfire, catch_up_limit, misfire_grace_ms, overlap,
          deadline_ms, spread_ms, start_at, end_at, max_runs, paused, next_at, next_fire_at, source, created_at, updated_at, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, ${nowOr('$19')}, ${nowOr('$19')}, 1)
        ON CONFLICT (id) DO NOTHING
        RETURNING *
      )
      SELECT ${SCHEDULE_COLUMNS}
      FROM s
      LEFT JOIN ${t.jobs} AS j ON j.id = s.last_job_id`,

    /**
     * scheduleUpdateDefinition — $1…$19 as scheduleInsert, $20 expectedVersion
     * The update half: only while the row is at the version the engine computed from. Keeps runs, the last occurrence
     * and a buffered occurrence.
     */
    updateDefinition: `
      WITH s AS (
        UPDATE ${t.schedules}
        SET queue = $2, rule = $3, payload = $4, job_options = $5, misfire = $6, catch_up_limit = $7, misfire_grace_ms = $8,
            overlap = $9, deadline_ms = $10, spread_ms = $11, start_at = $12, end_at = $13, max_runs = $14, paused = $15,
            next_at = $16, next_fire_at = $17, source = $18, updated_at = ${nowOr('$19')}, version = version + 1
        WHERE id = $1
          AND version = $20
        RETURNING *
      )
      SELECT ${SCHEDULE_COLUMNS}
      FROM s
      LEFT JOIN ${t.jobs} AS j ON j.id = s.last_job_id`,

    /** scheduleGet — $1 id */
    get: `
      SELECT ${SCHEDULE_COLUMNS}
      FROM ${from}
      WHERE s.id = $1`,

    /** scheduleList — all schedules by id. */
    list: `
      SELECT ${SCHEDULE_COLUMNS}
      FROM ${from}
      ORDER BY s.id`,

    /**
     * scheduleListDue — $1 now $2 limit
     * Up to $2 due schedules by fire time (the partial index holds only unpaused, live ones), then up to $2 holding a
     * buffered occurrence whose previous job has ended; one round trip for both. A schedule may appear in both
     * halves; the caller keeps its first row.
     */
    listDue: `
      (SELECT ${SCHEDULE_COLUMNS}, 1 AS part, s.next_fire_at AS sort_at
       FROM ${from}
       WHERE NOT s.paused
         AND s.next_fire_at IS NOT NULL
         AND s.next_fire_at <= ${nowOr('$1')}
       ORDER BY s.next_fire_at, s.id
       LIMIT $2)
      UNION ALL
      (SELECT ${SCHEDULE_COLUMNS}, 2 AS part, s.buffered_at AS sort_at
       FROM ${from}
       WHERE s.buffered_at IS NOT NULL
         AND NOT s.paused
         AND (j.state IS NULL OR j.state NOT IN ('scheduled', 'running'))
       ORDER BY s.buffered_at, s.id
       LIMIT $2)
      ORDER BY part, sort_at, id`,

    /**
     * scheduleLockVersions — $1 id[]; the schedules a materialize pass writes, locked in id order (two passes on
     * overlapping schedules queue up instead of deadlocking), with the versions their plans are checked against.
     */
    lockVersions: `
      SELECT id, version
      FROM ${t.schedules}
      WHERE id = ANY($1::text[])
      ORDER BY id
      FOR NO KEY UPDATE`,

    /** scheduleAdvance — $1 id $2 version $3 nextAt $4 nextFireAt $5 bufferedAt $6 runsAdded $7 lastOccurrenceAt $8 lastJobId $9 now */
    advance: `
      UPDATE ${t.schedules}
      SET next_at = $3, next_fire_at = $4, buffered_at = $5, runs = runs + $6,
          last_occurrence_at = COALESCE($7, last_occurrence_at), last_job_id = COALESCE($8, last_job_id),
          updated_at = ${nowOr('$9')}, version = version + 1
      WHERE id = $1
        AND version = $2`,

    /** scheduleNextFire — the earliest fire time of a live, unpaused schedule; and whether any occurrence is buffered. */
    nextFire: `
      SELECT
        (SELECT min(next_fire_at) FROM ${t.schedules} WHERE NOT paused AND next_fire_at IS NOT NULL) AS "nextFireAt",
        EXISTS (SELECT 1 FROM ${t.schedules} WHERE buffered_at IS NOT NULL AND NOT paused) AS "hasBuffered"`,

    /** scheduleSetPaused — $1 id $2 paused $3 nextAt $4 nextFireAt $5 now $6 expectedVersion; compare-and-set on the version. */
    setPaused: `
      UPDATE ${t.schedules}
      SET paused = $2, next_at = $3, next_fire_at = $4, updated_at = ${nowOr('$5')}, version = version + 1
      WHERE id = $1
        AND version = $6`,

    /** scheduleDelete — $1 id; the schedule and its history (its jobs stay). */
    delete: `
      WITH history AS (
        DELETE FROM ${t.occurrences}
        WHERE schedule_id = $1
      )
      DELETE FROM ${t.schedules}
      WHERE id = $1`,
  } as const;
}
