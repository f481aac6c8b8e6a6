-- 006_limiters: flow control (docs/flow-control.md). Limiters as stored objects; a job learns its limiter and lane
-- (its own, or its queue's at enqueue), its partition key and the order it keeps inside that key.
--
-- Per-key turns are kept by triggers, so every path that changes a keyed job's state (claim, finish, cancel, rescue,
-- replay, bulk actions) keeps them right without knowing about them: of the pending and running jobs of one
-- (queue, partition_key), exactly one holds the turn (key_waiting = 0); the others wait (key_waiting = 1) and are in
-- no claim index, so a hot key costs the claim nothing.

ALTER TABLE kairos_jobs ADD COLUMN limiter TEXT CHECK (limiter IS NULL OR length(limiter) BETWEEN 1 AND 128);
ALTER TABLE kairos_jobs ADD COLUMN lane TEXT CHECK (lane IS NULL OR length(lane) BETWEEN 1 AND 128);
ALTER TABLE kairos_jobs ADD COLUMN partition_key TEXT CHECK (partition_key IS NULL OR length(partition_key) BETWEEN 1 AND 255);
-- 0 strict: a job that fails and will retry keeps its place and holds the key; 1 lenient: it goes behind the jobs
-- due before its retry.
ALTER TABLE kairos_jobs ADD COLUMN partition_mode INTEGER NOT NULL DEFAULT 0 CHECK (partition_mode IN (0, 1));
-- The order inside the key: runAt at enqueue (then id); moved only by a lenient retry or a replay.
ALTER TABLE kairos_jobs ADD COLUMN key_at INTEGER;
ALTER TABLE kairos_jobs ADD COLUMN key_waiting INTEGER NOT NULL DEFAULT 0 CHECK (key_waiting IN (0, 1));

-- The claim index of free jobs (no limiter, not waiting for their key's turn): the claim of a plain queue is as before.
DROP INDEX kairos_jobs_claim;
-- state, key_waiting and limiter trail the key only so the claim reads the index alone: SQLite counts the terms of a
-- partial index's WHERE as known (covered) only when the WHERE has a single term.
CREATE INDEX kairos_jobs_claim ON kairos_jobs (queue, priority, run_at, id, state, key_waiting, limiter)
  WHERE state = 0 AND key_waiting = 0 AND limiter IS NULL;

-- Jobs behind a limiter, by queue and (limiter, lane): the claim takes at most the budget of each group from its range.
CREATE INDEX kairos_jobs_claim_limited ON kairos_jobs (queue, limiter, lane, priority, run_at, id)
  WHERE state = 0 AND key_waiting = 0 AND limiter IS NOT NULL;
-- Due work per (limiter, lane) across queues: lending asks whether a lane has any; status counts it.
CREATE INDEX kairos_jobs_lane_due ON kairos_jobs (limiter, lane, run_at) WHERE state = 0 AND key_waiting = 0 AND limiter IS NOT NULL;
-- Running attempts per (limiter, lane): the concurrency count, by lease end (an expired lease frees its slot).
CREATE INDEX kairos_jobs_lane_running ON kairos_jobs (limiter, lane, lease_until) WHERE state = 1 AND limiter IS NOT NULL;
-- The jobs of one key by turn, then key order: the holder is one seek (key_waiting = 0), the next in line another.
CREATE INDEX kairos_jobs_partition ON kairos_jobs (queue, partition_key, key_waiting, key_at, id) WHERE state <= 1 AND partition_key IS NOT NULL;

CREATE TABLE kairos_limiters (
  id           TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  -- Most attempts running at once across every instance; null for no bound (a rate alone).
  concurrency  INTEGER CHECK (concurrency IS NULL OR concurrency >= 1),
  -- JSON object: lane name → { "reserved": n }.
  lanes        TEXT    NOT NULL DEFAULT '{}',
  lend         INTEGER NOT NULL DEFAULT 0 CHECK (lend IN (0, 1)),
  rate_limit   INTEGER CHECK (rate_limit IS NULL OR rate_limit >= 1),
  rate_per_ms  INTEGER CHECK (rate_per_ms IS NULL OR rate_per_ms >= 1),
  -- The sliding-window log of starts: JSON [[at, count], …], oldest first, only entries inside the window.
  rate_log     TEXT    NOT NULL DEFAULT '[]',
  version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  CHECK ((rate_limit IS NULL) = (rate_per_ms IS NULL))
) WITHOUT ROWID;

-- A job that names no limiter takes its queue's limiter and lane when it is inserted: on SQLite the driver reads the
-- queue's row once per insert call and writes them with the job (limiter-ops.ts); a trigger per row cost a quarter of
-- the enqueue throughput of plain queues.

-- A keyed job arrives (insert): it holds the turn unless another job of the key does; a pending holder later in key
-- order than the new job gives the turn up to it.
CREATE TRIGGER kairos_jobs_key_insert
AFTER INSERT ON kairos_jobs
WHEN NEW.partition_key IS NOT NULL
BEGIN
  UPDATE kairos_jobs SET key_at = run_at WHERE id = NEW.id;
  UPDATE kairos_jobs
  SET key_waiting = 1
  -- state <= 1 is written out so the partial index kairos_jobs_partition is used (SQLite does not infer it from = 0).
  WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state <= 1 AND state = 0 AND key_waiting = 0 AND id <> NEW.id
    AND (key_at > NEW.run_at OR (key_at = NEW.run_at AND id > NEW.id));
  UPDATE kairos_jobs
  SET key_waiting = 1
  WHERE id = NEW.id
    AND EXISTS (SELECT 1 FROM kairos_jobs AS h
                WHERE h.queue = NEW.queue AND h.partition_key = NEW.partition_key AND h.state <= 1 AND h.key_waiting = 0 AND h.id <> NEW.id);
END;

-- A keyed job changes state. One trigger (one WHEN per updated row, so plain jobs pay one test), its statements each
-- guarded by the transition they handle:
-- - a holder ends (any final state): the turn passes to the first waiting job of the key;
-- - a waiting job ends (cancelled while it waited): it only leaves the line;
-- - a lenient holder's attempt failed and it will retry (running → scheduled, attempt counted): it moves to its retry
--   time in key order, and the first job now ahead of it takes the turn;
-- - a final job comes back (replay): it joins the line at its new runAt, holding the turn when nobody does.
-- Claims (scheduled → running), snoozes, hand-backs and strict retries change nobody's turn.
CREATE TRIGGER kairos_jobs_key_state
AFTER UPDATE OF state ON kairos_jobs
WHEN NEW.partition_key IS NOT NULL AND OLD.state <> NEW.state
BEGIN
  -- A holder ends.
  UPDATE kairos_jobs
  SET key_waiting = 0
  WHERE OLD.state <= 1 AND NEW.state >= 2 AND OLD.key_waiting = 0
    AND id = (SELECT id FROM kairos_jobs
              WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state <= 1 AND key_waiting = 1
              ORDER BY key_at, id
              LIMIT 1)
    AND NOT EXISTS (SELECT 1 FROM kairos_jobs AS h
                    WHERE h.queue = NEW.queue AND h.partition_key = NEW.partition_key AND h.state <= 1 AND h.key_waiting = 0);
  -- A waiting job ends.
  UPDATE kairos_jobs
  SET key_waiting = 0
  WHERE OLD.state <= 1 AND NEW.state >= 2 AND NEW.key_waiting = 1 AND id = NEW.id;
  -- A lenient holder will retry.
  UPDATE kairos_jobs
  SET key_at = run_at
  WHERE NEW.partition_mode = 1 AND OLD.state = 1 AND NEW.state = 0 AND NEW.attempt = OLD.attempt AND id = NEW.id;
  UPDATE kairos_jobs
  SET key_waiting = CASE WHEN id = NEW.id THEN 1 ELSE 0 END
  WHERE NEW.partition_mode = 1 AND OLD.state = 1 AND NEW.state = 0 AND NEW.attempt = OLD.attempt
    AND id IN (NEW.id, (SELECT id FROM kairos_jobs
                        WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state <= 1 AND key_waiting = 1
                          AND (key_at < NEW.run_at OR (key_at = NEW.run_at AND id < NEW.id))
                        ORDER BY key_at, id
                        LIMIT 1))
    AND EXISTS (SELECT 1 FROM kairos_jobs
                WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state <= 1 AND key_waiting = 1
                  AND (key_at < NEW.run_at OR (key_at = NEW.run_at AND id < NEW.id)));
  -- A final job comes back.
  UPDATE kairos_jobs
  SET key_at = run_at,
      key_waiting = CASE WHEN EXISTS (SELECT 1 FROM kairos_jobs AS h
                                      WHERE h.queue = NEW.queue AND h.partition_key = NEW.partition_key AND h.state <= 1
                                        AND h.key_waiting = 0 AND h.id <> NEW.id) THEN 1 ELSE 0 END
  WHERE OLD.state >= 2 AND NEW.state <= 1 AND id = NEW.id;
END;
