/** Named statements on kairos_occurrences and kairos_calendars for the PostgreSQL driver. */
import { nowOr, type Tables } from './tables.js';

/** The statements over kairos_occurrences and kairos_calendars, on the tables of `t`. */
export function occurrenceSql(t: Tables) {
  return {
    /**
     * occurrenceInsertMany — $1 scheduleId $2 at[] $3 fireAt[] $4 status[] $5 reason[] $6 hasJob[] $7 queue[]
     * $8 payload[] $9 priority[] $10 runAt[] $11 maxAttempts[] $12 backoff[] $13 timeoutMs[] $14 deadline[] $15 tags[]
     * $16 now
     * Records a plan's occurrences, each once by its (schedule, instant) key, and creates the job of each enqueued
     * one that was recorded now. The job id is drawn for the occurrence row first, so an occurrence another pass
     * already recorded never costs a job. Returns the occurrences recorded by this statement, in plan order.
     */
    insertMany: `
      WITH o AS (
        SELECT *
        FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[], $9::integer[],
          $10::bigint[], $11::integer[], $12::text[], $13::integer[], $14::bigint[], $15::text[])
          WITH ORDINALITY AS o(at, fire_at, status, reason, has_job, queue, payload, priority, run_at, max_attempts, backoff,
            timeout_ms, deadline, tags, ord)
      ),
      occ AS (
        INSERT INTO ${t.occurrences} (schedule_id, occurrence_at, fire_at, status, reason, job_id, recorded_at)
        SELECT $1, at, fire_at, status, reason, CASE WHEN has_job THEN nextval(${t.jobIdSeq}) END, ${nowOr('$16')}
        FROM o
        ORDER BY ord
        ON CONFLICT (schedule_id, occurrence_at) DO NOTHING
        RETURNING occurrence_at, status, job_id
      ),
      made AS (
        INSERT INTO ${t.jobs} (id, queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags,
          created_at, schedule_id, occurrence_at)
        SELECT occ.job_id, o.queue, 'scheduled', o.payload, o.priority, o.run_at, o.max_attempts, o.backoff, o.timeout_ms,
          o.deadline, o.tags, ${nowOr('$16')}, $1, occ.occurrence_at
        FROM occ
        JOIN o ON o.at = occ.occurrence_at
        WHERE occ.job_id IS NOT NULL
        RETURNING id
      )
      SELECT o.ord, occ.status, occ.job_id AS "jobId", o.queue, o.run_at AS "runAt"
      FROM occ
      JOIN o ON o.at = occ.occurrence_at
      ORDER BY o.ord`,

    /**
     * occurrenceRelease — $1 scheduleId $2 occurrenceAt $3 fireAt $4 queue $5 payload $6 priority $7 runAt
     * $8 maxAttempts $9 backoff $10 timeoutMs $11 deadline $12 tags $13 now
     * A buffered occurrence gets its job; nothing when it is no longer buffered.
     */
    release: `
      WITH released AS (
        UPDATE ${t.occurrences}
        SET status = 'enqueued', job_id = nextval(${t.jobIdSeq}), fire_at = $3, reason = NULL
        WHERE schedule_id = $1
          AND occurrence_at = $2
          AND status = 'buffered'
        RETURNING job_id
      )
      INSERT INTO ${t.jobs} (id, queue, state, payload, priority, run_at, max_attempts, backoff, timeout_ms, deadline, tags,
        created_at, schedule_id, occurrence_at)
      SELECT job_id, $4, 'scheduled', $5, $6, $7, $8, $9, $10, $11, $12, ${nowOr('$13')}, $1, $2
      FROM released
      RETURNING id`,

    /** occurrenceListBySchedule — $1 scheduleId $2 before $3 limit; newest first, with the state of each job. */
    list: `
      SELECT o.occurrence_at AS "occurrenceAt", o.fire_at AS "fireAt", o.status, o.reason, o.job_id AS "jobId",
        j.state AS "jobState", o.recorded_at AS "recordedAt"
      FROM ${t.occurrences} AS o
      LEFT JOIN ${t.jobs} AS j ON j.id = o.job_id
      WHERE o.schedule_id = $1
        AND o.occurrence_at < $2
      ORDER BY o.occurrence_at DESC
      LIMIT $3`,

    /** occurrencePrune — $1 before $2 limit; history older than the cut-off, oldest first. */
    prune: `
      DELETE FROM ${t.occurrences}
      WHERE (schedule_id, occurrence_at) IN (
        SELECT schedule_id, occurrence_at
        FROM ${t.occurrences}
        WHERE recorded_at < $1
        ORDER BY recorded_at, schedule_id, occurrence_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED)`,

    /** calendarUpsert — $1 name $2 dates $3 now */
    calendarUpsert: `
      INSERT INTO ${t.calendars} (name, dates, updated_at)
      VALUES ($1, $2, ${nowOr('$3')})
      ON CONFLICT (name) DO UPDATE SET dates = excluded.dates, updated_at = excluded.updated_at`,

    /** calendarList — all calendars by name. */
    calendarList: `
      SELECT name, dates, updated_at AS "updatedAt"
      FROM ${t.calendars}
      ORDER BY name`,

    /** calendarDelete — $1 name */
    calendarDelete: `
      DELETE FROM ${t.calendars}
      WHERE name = $1`,
  } as const;
}
