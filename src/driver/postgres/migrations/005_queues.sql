-- 005_queues: queues as stored objects. A queue needs no row to be used (a job names any queue); a row holds what is
-- set on the queue for every instance: the pause flag the claim obeys, and the settings later parts read (capacity,
-- limiter and lane, service-mode target and fallback, default job options). Times are epoch ms; JSON is text.

CREATE TABLE kairos_queues (
  name         text    PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 128),
  paused       boolean NOT NULL DEFAULT false,
  -- Most jobs the queue may hold pending or running; an enqueue beyond it fails with QUEUE_FULL.
  capacity     integer CHECK (capacity IS NULL OR capacity >= 1),
  -- Jobs of the queue one instance runs at once in service mode (a library handler sets its own).
  concurrency  integer CHECK (concurrency IS NULL OR concurrency >= 1),
  limiter      text    CHECK (limiter IS NULL OR length(limiter) BETWEEN 1 AND 128),
  lane         text    CHECK (lane IS NULL OR length(lane) BETWEEN 1 AND 128),
  target       text,
  fallback     text    CHECK (fallback IS NULL OR (length(fallback) BETWEEN 1 AND 128 AND fallback <> name)),
  job_options  text,
  version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at   bigint  NOT NULL,
  updated_at   bigint  NOT NULL
);
