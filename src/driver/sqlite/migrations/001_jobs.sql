-- 001_jobs: jobs and the history of their attempts.
-- Times are epoch milliseconds (INTEGER); JSON columns are TEXT. Invariants of DESIGN.md §2 live here as CHECKs.

CREATE TABLE kairos_jobs (
  id            INTEGER PRIMARY KEY,
  queue         TEXT    NOT NULL,
  state         TEXT    NOT NULL
                CHECK (state IN ('scheduled', 'running', 'completed', 'failed', 'cancelled', 'expired', 'skipped')),
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
  -- A running job, and only a running job, is held by an owner under a lease.
  CHECK ((state = 'running') = (owner IS NOT NULL AND lease_until IS NOT NULL)),
  -- Final states, and only final states, carry a finish time.
  CHECK ((state IN ('completed', 'failed', 'cancelled', 'expired', 'skipped')) = (finished_at IS NOT NULL)),
  -- A pending job always has an attempt left; a running one is on attempt 1 or later.
  CHECK (attempt <= max_attempts),
  CHECK (state <> 'scheduled' OR attempt < max_attempts),
  CHECK (state <> 'running' OR attempt >= 1)
);

-- The due-claim index: only pending jobs, in claim order. The claim reads it one priority at a time with a
-- run_at range, so jobs waiting for later are never scanned (docs/architecture.md, "Claim path").
CREATE INDEX kairos_jobs_claim ON kairos_jobs (queue, priority, run_at, id) WHERE state = 'scheduled';

-- The lease rescuer and heartbeats read running jobs only.
CREATE INDEX kairos_jobs_lease ON kairos_jobs (lease_until) WHERE state = 'running';

-- The pruner reads finished jobs oldest first.
CREATE INDEX kairos_jobs_finished ON kairos_jobs (finished_at) WHERE finished_at IS NOT NULL;

-- A dedupe key is taken while its job is pending, running or completed; other final states free it.
CREATE UNIQUE INDEX kairos_jobs_key ON kairos_jobs (queue, key)
  WHERE key IS NOT NULL AND state IN ('scheduled', 'running', 'completed');

-- Every attempt that did not complete its job (failed, timed out, skipped, snoozed, handed back, rescued, cancelled),
-- and a completed attempt once the job is replayed. The attempt that completed a job lives in the job row.
CREATE TABLE kairos_attempts (
  id           INTEGER PRIMARY KEY,
  job_id       INTEGER NOT NULL,
  attempt      INTEGER NOT NULL CHECK (attempt >= 1),
  worker_id    TEXT    NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL,
  outcome      TEXT    NOT NULL
               CHECK (outcome IN ('completed', 'skipped', 'failed', 'unrecoverable', 'timeout', 'snoozed',
                                  'handed-back', 'lease-expired', 'cancelled')),
  error        TEXT,
  note         TEXT
);

CREATE INDEX kairos_attempts_job ON kairos_attempts (job_id, id);
