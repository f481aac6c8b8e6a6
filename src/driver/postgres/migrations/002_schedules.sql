-- 002_schedules: recurring schedules, the record of every occurrence, holiday calendars; jobs learn their schedule.
-- PostgreSQL twin of the SQLite 002.

ALTER TABLE kairos_jobs ADD COLUMN schedule_id text;
ALTER TABLE kairos_jobs ADD COLUMN occurrence_at bigint;

CREATE TABLE kairos_schedules (
  id                  text    PRIMARY KEY,
  queue               text    NOT NULL,
  rule                text    NOT NULL,
  payload             text    NOT NULL,
  job_options         text,
  misfire             text    NOT NULL CHECK (misfire IN ('skip', 'once', 'all')),
  catch_up_limit      integer NOT NULL CHECK (catch_up_limit >= 1),
  misfire_grace_ms    bigint  NOT NULL CHECK (misfire_grace_ms >= 0),
  overlap             text    NOT NULL CHECK (overlap IN ('allow', 'skip', 'buffer-one')),
  deadline_ms         bigint  CHECK (deadline_ms IS NULL OR deadline_ms >= 0),
  spread_ms           bigint  NOT NULL CHECK (spread_ms >= 0),
  start_at            bigint,
  end_at              bigint,
  max_runs            integer CHECK (max_runs IS NULL OR max_runs >= 1),
  runs                integer NOT NULL DEFAULT 0 CHECK (runs >= 0),
  paused              boolean NOT NULL DEFAULT false,
  -- The next nominal occurrence not yet handled, and when it is due (with the spread offset); NULL once ended.
  next_at             bigint,
  next_fire_at        bigint,
  -- An occurrence held back by overlap 'buffer-one' until the previous job ends.
  buffered_at         bigint,
  last_occurrence_at  bigint,
  last_job_id         bigint,
  -- 'code' for schedules declared through sync(), which may remove them; 'api' otherwise.
  source              text    NOT NULL CHECK (source IN ('api', 'code')),
  created_at          bigint  NOT NULL,
  updated_at          bigint  NOT NULL,
  CHECK ((next_at IS NULL) = (next_fire_at IS NULL)),
  CHECK (max_runs IS NULL OR runs <= max_runs)
);

-- The materializer reads due schedules by fire time, then id; paused ones are not in the index at all.
CREATE INDEX kairos_schedules_due ON kairos_schedules (next_fire_at, id) WHERE NOT paused AND next_fire_at IS NOT NULL;
CREATE INDEX kairos_schedules_buffered ON kairos_schedules (buffered_at) WHERE buffered_at IS NOT NULL;

-- One row per occurrence of a schedule, whatever became of it. The primary key is the guarantee of "exactly one
-- job per occurrence": a second materializer's insert of the same occurrence changes nothing.
CREATE TABLE kairos_occurrences (
  schedule_id    text    NOT NULL,
  occurrence_at  bigint  NOT NULL,
  fire_at        bigint  NOT NULL,
  status         text    NOT NULL CHECK (status IN ('enqueued', 'missed', 'skipped', 'buffered')),
  reason         text,
  job_id         bigint,
  recorded_at    bigint  NOT NULL,
  PRIMARY KEY (schedule_id, occurrence_at),
  CHECK ((status = 'enqueued') = (job_id IS NOT NULL))
);

CREATE INDEX kairos_occurrences_recorded ON kairos_occurrences (recorded_at);

CREATE TABLE kairos_calendars (
  name        text    PRIMARY KEY,
  dates       text    NOT NULL,
  updated_at  bigint  NOT NULL
);
