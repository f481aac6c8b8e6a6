-- 004_integer_states: job states as small integers; the id range as a CHECK constraint instead of a trigger.
--
-- Why: SQLite evaluates an `x IN ('a', 'b', …)` list in a CHECK constraint or a partial index's WHERE by building a
-- temporary B-tree of the list for every row an UPDATE touches. With text states, claiming or completing one job
-- built four of them (18 B-tree inserts, more than the row and index writes themselves; bench/RESULTS.md, "Claim
-- path, schema 004"). Integer codes turn every such test into a comparison. The codes are src/driver/state-codes.ts:
--   0 scheduled, 1 running, 2 completed, 3 failed, 4 cancelled, 5 expired, 6 skipped
-- ordered so that "holds its dedupe key" is state <= 2 and "final" is state >= 2.
--
-- The table is rebuilt (SQLite cannot change a column's CHECK in place): new table, copy, drop, rename, indexes.
--
-- The rebuild also makes the id AUTOINCREMENT: without it, once the newest job is pruned the next insert takes its
-- id, and a caller holding that id (or a schedule's last_job_id) would name an unrelated job. Measured: no cost on
-- the drain (A/B CPU ratio 0.98 over 10 pairs).

CREATE TABLE kairos_jobs_004 (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  queue         TEXT    NOT NULL,
  state         INTEGER NOT NULL CHECK (state BETWEEN 0 AND 6),
  payload       TEXT    NOT NULL,
  priority      INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  run_at        INTEGER NOT NULL,
  key           TEXT    CHECK (key IS NULL OR length(key) BETWEEN 1 AND 255),
  attempt       INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
  backoff       TEXT,
  timeout_ms    INTEGER CHECK (timeout_ms IS NULL OR timeout_ms > 0),
  deadline      INTEGER,
  tags          TEXT,
  owner         TEXT,
  -- The worker of the latest attempt; kept after it ends, since a completed attempt is recorded by the job row
  -- itself (started_at, finished_at, worker_id) rather than by a kairos_attempts row.
  worker_id     TEXT,
  lease_until   INTEGER,
  started_at    INTEGER,
  finished_at   INTEGER,
  created_at    INTEGER NOT NULL,
  result        TEXT,
  last_error    TEXT,
  schedule_id   TEXT,
  occurrence_at INTEGER,
  -- Job ids stay below 2^53 − 2^20 (ids.ts MAX_JOB_ID), so every id reads back as an exact JavaScript number; an
  -- insert past it fails as a whole. Replaces 003's trigger of the same name (the driver matches the name).
  CONSTRAINT kairos_jobs_id_range CHECK (id <= 9007199253692416),
  -- A running job, and only a running job, is held by an owner under a lease.
  CHECK ((state = 1) = (owner IS NOT NULL AND lease_until IS NOT NULL)),
  -- Final states, and only final states, carry a finish time.
  CHECK ((state >= 2) = (finished_at IS NOT NULL)),
  -- A pending job always has an attempt left; a running one is on attempt 1 or later.
  CHECK (attempt <= max_attempts),
  CHECK (state <> 0 OR attempt < max_attempts),
  CHECK (state <> 1 OR attempt >= 1)
);

INSERT INTO kairos_jobs_004 (id, queue, state, payload, priority, run_at, key, attempt, max_attempts, backoff, timeout_ms, deadline,
  tags, owner, worker_id, lease_until, started_at, finished_at, created_at, result, last_error, schedule_id, occurrence_at)
SELECT id, queue,
  CASE state
    WHEN 'scheduled' THEN 0 WHEN 'running' THEN 1 WHEN 'completed' THEN 2 WHEN 'failed' THEN 3
    WHEN 'cancelled' THEN 4 WHEN 'expired' THEN 5 WHEN 'skipped' THEN 6
  END,
  payload, priority, run_at, key, attempt, max_attempts, backoff, timeout_ms, deadline, tags, owner, worker_id, lease_until,
  started_at, finished_at, created_at, result, last_error, schedule_id, occurrence_at
FROM kairos_jobs;

DROP TRIGGER kairos_jobs_id_range;
DROP TABLE kairos_jobs;
ALTER TABLE kairos_jobs_004 RENAME TO kairos_jobs;

-- The due-claim index: only pending jobs, in claim order (docs/architecture.md, "Claim path").
CREATE INDEX kairos_jobs_claim ON kairos_jobs (queue, priority, run_at, id) WHERE state = 0;

-- The lease rescuer reads running jobs only.
CREATE INDEX kairos_jobs_lease ON kairos_jobs (lease_until) WHERE state = 1;

-- The pruner reads finished jobs oldest first.
CREATE INDEX kairos_jobs_finished ON kairos_jobs (finished_at) WHERE finished_at IS NOT NULL;

-- A dedupe key is taken while its job is scheduled, running or completed; other final states free it.
CREATE UNIQUE INDEX kairos_jobs_key ON kairos_jobs (queue, key) WHERE key IS NOT NULL AND state <= 2;
