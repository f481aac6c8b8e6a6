-- 002_schedules: recurring schedules, the record of every occurrence, holiday calendars; jobs learn their schedule.

ALTER TABLE kairos_jobs ADD COLUMN schedule_id TEXT;
ALTER TABLE kairos_jobs ADD COLUMN occurrence_at INTEGER;

CREATE TABLE kairos_schedules (
  id                  TEXT    PRIMARY KEY,
  queue               TEXT    NOT NULL,
  rule                TEXT    NOT NULL,
  payload             TEXT    NOT NULL,
  job_options         TEXT,
  misfire             TEXT    NOT NULL CHECK (misfire IN ('skip', 'once', 'all')),
  catch_up_limit      INTEGER NOT NULL CHECK (catch_up_limit >= 1),
  misfire_grace_ms    INTEGER NOT NULL CHECK (misfire_grace_ms >= 0),
  overlap             TEXT    NOT NULL CHECK (overlap IN ('allow', 'skip', 'buffer-one')),
  deadline_ms         INTEGER CHECK (deadline_ms IS NULL OR deadline_ms >= 0),
  spread_ms           INTEGER NOT NULL CHECK (spread_ms >= 0),
  start_at            INTEGER,
  end_at              INTEGER,
  max_runs            INTEGER CHECK (max_runs IS NULL OR max_runs >= 1),
  runs                INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),
  paused              INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  -- The next nominal occurrence not yet handled, and when it is due (with the spread offset); NULL once ended.
  next_at             INTEGER,
  next_fire_at        INTEGER,
  -- An occurrence held back by overlap 'buffer-one' until the previous job ends.
  buffered_at         INTEGER,
  last_occurrence_at  INTEGER,
  last_job_id         INTEGER,
  -- 'code' for schedules declared through sync(), which may remove them; 'api' otherwise.
  source              TEXT    NOT NULL CHECK (source IN ('api', 'code')),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  CHECK ((next_at IS NULL) = (next_fire_at IS NULL)),
  CHECK (max_runs IS NULL OR runs <= max_runs)
);

-- The materializer reads due schedules by fire time, then id (the ORDER BY, so a batch reads only its own rows);
-- paused ones are not in the index at all.
CREATE INDEX kairos_schedules_due ON kairos_schedules (next_fire_at, id) WHERE paused = 0 AND next_fire_at IS NOT NULL;
CREATE INDEX kairos_schedules_buffered ON kairos_schedules (buffered_at) WHERE buffered_at IS NOT NULL;

-- One row per occurrence of a schedule, whatever became of it. The primary key is the guarantee of "exactly one
-- job per occurrence": a second materializer's insert of the same occurrence changes nothing.
CREATE TABLE kairos_occurrences (
  schedule_id    TEXT    NOT NULL,
  occurrence_at  INTEGER NOT NULL,
  fire_at        INTEGER NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('enqueued', 'missed', 'skipped', 'buffered')),
  reason         TEXT,
  job_id         INTEGER,
  recorded_at    INTEGER NOT NULL,
  PRIMARY KEY (schedule_id, occurrence_at),
  CHECK ((status = 'enqueued') = (job_id IS NOT NULL))
) WITHOUT ROWID;

CREATE INDEX kairos_occurrences_recorded ON kairos_occurrences (recorded_at);

CREATE TABLE kairos_calendars (
  name        TEXT    PRIMARY KEY,
  dates       TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
);
