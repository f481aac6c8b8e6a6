-- 005_queues: queues as stored objects. A queue needs no row to be used (a job names any queue); a row holds what is
-- set on the queue for every instance: the pause flag the claim obeys, and the settings later parts read (capacity,
-- limiter and lane, service-mode target and fallback, default job options). Times are epoch ms; JSON is TEXT.

CREATE TABLE kairos_queues (
  name         TEXT    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128),
  paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  -- Most jobs the queue may hold pending or running; an enqueue beyond it fails with QUEUE_FULL.
  capacity     INTEGER CHECK (capacity IS NULL OR capacity >= 1),
  -- Jobs of the queue one instance runs at once in service mode (a library handler sets its own).
  concurrency  INTEGER CHECK (concurrency IS NULL OR concurrency >= 1),
  limiter      TEXT    CHECK (limiter IS NULL OR length(limiter) BETWEEN 1 AND 128),
  lane         TEXT    CHECK (lane IS NULL OR length(lane) BETWEEN 1 AND 128),
  target       TEXT,
  fallback     TEXT    CHECK (fallback IS NULL OR (length(fallback) BETWEEN 1 AND 128 AND fallback <> name)),
  job_options  TEXT,
  version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
