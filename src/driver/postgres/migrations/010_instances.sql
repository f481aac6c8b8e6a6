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

-- Jobs of one state newest first (the state filter), and of one queue and state. A queue filter alone reads the second
-- index once per state and merges (jobListByQueue), which costs seven short range reads instead of a third index
-- updated by every claim and completion.
CREATE INDEX kairos_jobs_state_id ON kairos_jobs (state, id);
CREATE INDEX kairos_jobs_queue_state_id ON kairos_jobs (queue, state, id);

-- The planner's guess of how many jobs of one queue are in one state, from the two columns' statistics taken apart,
-- is wrong whenever states are unevenly spread over queues (a queue with no cancelled jobs looks like it has
-- thousands); it then walks the primary key backwards through the whole table instead of reading this index's empty
-- range. Statistics of the pair (the most common combinations) give it the right count.
CREATE STATISTICS kairos_jobs_queue_state (mcv) ON queue, state FROM kairos_jobs;
