-- 010_instances: the engine instances alive on this store (for the dashboard), and the indexes the dashboard's job
-- filters read so that a page of any filter is a short index range, never a scan of the table.

-- One row per running engine instance, written by its heartbeat loop; a row whose heartbeat stopped is pruned.
CREATE TABLE kairos_instances (
  id            text    PRIMARY KEY,
  host          text    NOT NULL,
  pid           integer NOT NULL,
  -- JSON array of the queues the instance handles.
  queues        text    NOT NULL,
  started_at    bigint  NOT NULL,
  heartbeat_at  bigint  NOT NULL
);

CREATE INDEX kairos_instances_heartbeat ON kairos_instances (heartbeat_at);

-- The dashboard's job filters, newest first, without taxing the claim path. A queue's jobs: (queue, id), whose key
-- never changes after the insert, so claims and completions leave it alone.
-- Jobs in the rare final states (failed, cancelled, expired, skipped), alone or per queue: partial indexes that get
-- an entry only when a job enters one of those states. Full (state, id) and (queue, state, id) indexes would move
-- an entry at every claim and completion: measured, they slowed the drain by 1.4× (bench/RESULTS.md, "Dashboard").
-- Scheduled, running and completed jobs are read newest first through the primary key or (queue, id), filtering
-- the state: dense in practice (these are most rows), see docs/dashboard.md for the worst case.
CREATE INDEX kairos_jobs_queue_id ON kairos_jobs (queue, id);
CREATE INDEX kairos_jobs_rare_state ON kairos_jobs (state, id) WHERE state IN ('failed', 'cancelled', 'expired', 'skipped');
CREATE INDEX kairos_jobs_queue_rare_state ON kairos_jobs (queue, state, id) WHERE state IN ('failed', 'cancelled', 'expired', 'skipped');

