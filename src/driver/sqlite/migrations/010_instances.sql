-- 010_instances: the engine instances alive on this store (for the dashboard), and the indexes the dashboard's job
-- filters read so that a page of any filter is a short index range, never a scan of the table.

-- One row per running engine instance, written by its heartbeat loop; a row whose heartbeat stopped is pruned.
CREATE TABLE kairos_instances (
  id            TEXT    PRIMARY KEY,
  host          TEXT    NOT NULL,
  pid           INTEGER NOT NULL,
  -- JSON array of the queues the instance handles.
  queues        TEXT    NOT NULL,
  started_at    INTEGER NOT NULL,
  heartbeat_at  INTEGER NOT NULL
);

CREATE INDEX kairos_instances_heartbeat ON kairos_instances (heartbeat_at);

-- Jobs of one state newest first (the state filter), and of one queue and state. A queue filter alone reads the second
-- index once per state and merges (jobListByQueue), which costs seven short range reads instead of a third index
-- updated by every claim and completion.
CREATE INDEX kairos_jobs_state_id ON kairos_jobs (state, id);
CREATE INDEX kairos_jobs_queue_state_id ON kairos_jobs (queue, state, id);
