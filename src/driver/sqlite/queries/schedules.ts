/** Named statements on kairos_schedules, kairos_occurrences and kairos_calendars for the SQLite driver. */
import { STATE_CODE as S, stateNameSql } from '../../state-codes.js';

const LAST_JOB_STATE = `${stateNameSql('j.state')} AS lastJobState`;

/** The columns of a schedule row, in this order; schedule-ops.ts maps raw (array) rows by these positions. */
export const SCHEDULE_COLUMN_NAMES = [
  'id', 'queue', 'rule', 'payload', 'jobOptions', 'misfire', 'catchUpLimit', 'misfireGraceMs', 'overlap', 'deadlineMs', 'spreadMs', 'startAt',
  'endAt', 'maxRuns', 'runs', 'paused', 'nextAt', 'nextFireAt', 'bufferedAt', 'lastOccurrenceAt', 'lastJobId', 'source', 'createdAt', 'updatedAt',
  'version', 'lastJobState',
] as const;

const SCHEDULE_COLUMNS = `s.id, s.queue, s.rule, s.payload, s.job_options AS jobOptions, s.misfire, s.catch_up_limit AS catchUpLimit,
  s.misfire_grace_ms AS misfireGraceMs, s.overlap, s.deadline_ms AS deadlineMs, s.spread_ms AS spreadMs, s.start_at AS startAt,
  s.end_at AS endAt, s.max_runs AS maxRuns, s.runs, s.paused, s.next_at AS nextAt, s.next_fire_at AS nextFireAt,
  s.buffered_at AS bufferedAt, s.last_occurrence_at AS lastOccurrenceAt, s.last_job_id AS lastJobId, s.source,
  s.created_at AS createdAt, s.updated_at AS updatedAt, s.version`;

export const scheduleSql = {
  /**
   * scheduleInsert — every definition field, :nextAt :nextFireAt :source :now
   * The create half of the compare-and-set upsert: nothing when the id exists.
   */
  insert: `
    INSERT INTO kairos_schedules (id, queue, rule, payload, job_options, misfire, catch_up_limit, misfire_grace_ms, overlap,
      deadline_ms, spread_ms, start_at, end_at, max_runs, paused, next_at, next_fire_at, source, created_at, updated_at, version)
    VALUES (:id, :queue, :rule, :payload, :jobOptions, :misfire, :catchUpLimit, :misfireGraceMs, :overlap,
      :deadlineMs, :spreadMs, :startAt, :endAt, :maxRuns, :paused, :nextAt, :nextFireAt, :source, :now, :now, 1)
    ON CONFLICT (id) DO NOTHING`,

  /**
   * scheduleUpdateDefinition — every definition field, :nextAt :nextFireAt :source :now :expectedVersion
   * The update half: only when the row is still at the version the engine computed from. Keeps runs, the last
   * occurrence and a buffered occurrence.
   */
  updateDefinition: `
    UPDATE kairos_schedules
    SET queue = :queue, rule = :rule, payload = :payload, job_options = :jobOptions, misfire = :misfire,
        catch_up_limit = :catchUpLimit, misfire_grace_ms = :misfireGraceMs, overlap = :overlap, deadline_ms = :deadlineMs,
        spread_ms = :spreadMs, start_at = :startAt, end_at = :endAt, max_runs = :maxRuns, paused = :paused, next_at = :nextAt,
        next_fire_at = :nextFireAt, source = :source, updated_at = :now, version = version + 1
    WHERE id = :id
      AND version = :expectedVersion`,

  /** scheduleGet — :id */
  get: `
    SELECT ${SCHEDULE_COLUMNS}, ${LAST_JOB_STATE}
    FROM kairos_schedules AS s
    LEFT JOIN kairos_jobs AS j ON j.id = s.last_job_id
    WHERE s.id = :id`,

  /** scheduleList — all schedules by id. */
  list: `
    SELECT ${SCHEDULE_COLUMNS}, ${LAST_JOB_STATE}
    FROM kairos_schedules AS s
    LEFT JOIN kairos_jobs AS j ON j.id = s.last_job_id
    ORDER BY s.id`,

  /**
   * scheduleDue — :now :limit; due schedules by fire time (the partial index holds only unpaused, live ones).
   * Read in raw mode (a pass may read thousands of 25-column rows; objects are built in JS, which is faster).
   */
  due: `
    SELECT ${SCHEDULE_COLUMNS}, ${LAST_JOB_STATE}
    FROM kairos_schedules AS s
    LEFT JOIN kairos_jobs AS j ON j.id = s.last_job_id
    WHERE s.paused = 0
      AND s.next_fire_at IS NOT NULL
      AND s.next_fire_at <= :now
    ORDER BY s.next_fire_at, s.id
    LIMIT :limit`,

  /** scheduleBuffered — :limit; schedules holding a buffered occurrence whose previous job has ended. */
  buffered: `
    SELECT ${SCHEDULE_COLUMNS}, ${LAST_JOB_STATE}
    FROM kairos_schedules AS s
    LEFT JOIN kairos_jobs AS j ON j.id = s.last_job_id
    WHERE s.buffered_at IS NOT NULL
      AND s.paused = 0
      AND (j.state IS NULL OR j.state > ${S.running})
    ORDER BY s.buffered_at
    LIMIT :limit`,

  /**
   * scheduleAdvance — :id :version :nextAt :nextFireAt :bufferedAt :runsAdded :lastOccurrenceAt :lastJobId :now
   * Fenced by the version the plan was made from; the caller checks it first (scheduleVersion) and writes nothing
   * else when it moved.
   */
  advance: `
    UPDATE kairos_schedules
    SET next_at = :nextAt, next_fire_at = :nextFireAt, buffered_at = :bufferedAt, runs = runs + :runsAdded,
        last_occurrence_at = COALESCE(:lastOccurrenceAt, last_occurrence_at), last_job_id = COALESCE(:lastJobId, last_job_id),
        updated_at = :now, version = version + 1
    WHERE id = :id
      AND version = :version`,

  /** scheduleVersion — :id; the current version, to check a plan's fence before writing anything of it. */
  version: `
    SELECT version
    FROM kairos_schedules
    WHERE id = :id`,

  /** scheduleNextFire — the earliest fire time of a live, unpaused schedule; and whether any occurrence is buffered. */
  nextFire: `
    SELECT
      (SELECT MIN(next_fire_at) FROM kairos_schedules WHERE paused = 0 AND next_fire_at IS NOT NULL) AS nextFireAt,
      EXISTS (SELECT 1 FROM kairos_schedules WHERE buffered_at IS NOT NULL AND paused = 0) AS hasBuffered`,

  /** scheduleSetPaused — :id :paused :nextAt :nextFireAt :expectedVersion :now; compare-and-set on the version. */
  setPaused: `
    UPDATE kairos_schedules
    SET paused = :paused, next_at = :nextAt, next_fire_at = :nextFireAt, updated_at = :now, version = version + 1
    WHERE id = :id
      AND version = :expectedVersion`,

  /** scheduleDelete — :id */
  delete: `
    DELETE FROM kairos_schedules
    WHERE id = :id`,

  /** occurrenceInsert — :scheduleId :occurrenceAt :fireAt :status :reason :jobId :now; nothing when already recorded. */
  occurrenceInsert: `
    INSERT INTO kairos_occurrences (schedule_id, occurrence_at, fire_at, status, reason, job_id, recorded_at)
    VALUES (:scheduleId, :occurrenceAt, :fireAt, :status, :reason, :jobId, :now)
    ON CONFLICT (schedule_id, occurrence_at) DO NOTHING`,

  /** occurrenceRelease — :scheduleId :occurrenceAt :jobId :fireAt; a buffered occurrence gets its job. */
  occurrenceRelease: `
    UPDATE kairos_occurrences
    SET status = 'enqueued', job_id = :jobId, fire_at = :fireAt, reason = NULL
    WHERE schedule_id = :scheduleId
      AND occurrence_at = :occurrenceAt
      AND status = 'buffered'`,

  /** occurrenceListBySchedule — :scheduleId :before :limit; newest first, with the state of each job. */
  occurrenceList: `
    SELECT o.occurrence_at AS occurrenceAt, o.fire_at AS fireAt, o.status, o.reason, o.job_id AS jobId, ${stateNameSql('j.state')} AS jobState,
      o.recorded_at AS recordedAt
    FROM kairos_occurrences AS o
    LEFT JOIN kairos_jobs AS j ON j.id = o.job_id
    WHERE o.schedule_id = :scheduleId
      AND o.occurrence_at < :before
    ORDER BY o.occurrence_at DESC
    LIMIT :limit`,

  /** occurrenceDeleteBySchedule — :scheduleId */
  occurrenceDeleteBySchedule: `
    DELETE FROM kairos_occurrences
    WHERE schedule_id = :scheduleId`,

  /** occurrencePrune — :before :limit; history older than the cut-off. */
  occurrencePrune: `
    DELETE FROM kairos_occurrences
    WHERE (schedule_id, occurrence_at) IN (
      SELECT schedule_id, occurrence_at FROM kairos_occurrences WHERE recorded_at < :before ORDER BY recorded_at LIMIT :limit)`,

  /** calendarUpsert — :name :dates :now */
  calendarUpsert: `
    INSERT INTO kairos_calendars (name, dates, updated_at)
    VALUES (:name, :dates, :now)
    ON CONFLICT (name) DO UPDATE SET dates = excluded.dates, updated_at = excluded.updated_at`,

  /** calendarList — all calendars. */
  calendarList: `
    SELECT name, dates, updated_at AS updatedAt
    FROM kairos_calendars
    ORDER BY name`,

  /** calendarDelete — :name */
  calendarDelete: `
    DELETE FROM kairos_calendars
    WHERE name = :name`,
} as const;
