-- 006_limiters: flow control (docs/flow-control.md); PostgreSQL twin of the SQLite 006. Limiters as stored objects;
-- a job learns its limiter and lane (its own, or its queue's at enqueue), its partition key and its order in that key.
--
-- Per-key turns are kept by triggers, so every path that changes a keyed job's state (claim, finish, cancel, rescue,
-- replay, bulk actions) keeps them right without knowing about them: of the pending and running jobs of one
-- (queue, partition_key), exactly one holds the turn (key_waiting = false); the others wait and are in no claim
-- index. Every change to a key's line first takes a transaction-scoped advisory lock on the key, so two instances
-- (an insert and a finish, or two inserts) never both decide who holds it. The functions keep the migration's
-- search_path, since the driver's sessions do not have the schema on theirs.

ALTER TABLE kairos_jobs ADD COLUMN limiter text CHECK (limiter IS NULL OR length(limiter) BETWEEN 1 AND 128);
ALTER TABLE kairos_jobs ADD COLUMN lane text CHECK (lane IS NULL OR length(lane) BETWEEN 1 AND 128);
ALTER TABLE kairos_jobs ADD COLUMN partition_key text CHECK (partition_key IS NULL OR length(partition_key) BETWEEN 1 AND 255);
-- 0 strict: a job that fails and will retry keeps its place and holds the key; 1 lenient: it goes behind the jobs
-- due before its retry.
ALTER TABLE kairos_jobs ADD COLUMN partition_mode smallint NOT NULL DEFAULT 0 CHECK (partition_mode IN (0, 1));
ALTER TABLE kairos_jobs ADD COLUMN key_at bigint;
ALTER TABLE kairos_jobs ADD COLUMN key_waiting boolean NOT NULL DEFAULT false;

DROP INDEX kairos_jobs_claim;
CREATE INDEX kairos_jobs_claim ON kairos_jobs (queue, priority, run_at, id)
  WHERE state = 'scheduled' AND NOT key_waiting AND limiter IS NULL;
CREATE INDEX kairos_jobs_claim_limited ON kairos_jobs (queue, limiter, lane, priority, run_at, id)
  WHERE state = 'scheduled' AND NOT key_waiting AND limiter IS NOT NULL;
CREATE INDEX kairos_jobs_lane_due ON kairos_jobs (limiter, lane, run_at)
  WHERE state = 'scheduled' AND NOT key_waiting AND limiter IS NOT NULL;
CREATE INDEX kairos_jobs_lane_running ON kairos_jobs (limiter, lane, lease_until)
  WHERE state = 'running' AND limiter IS NOT NULL;
-- The jobs of one key by turn, then key order: the holder is one seek (NOT key_waiting), the next in line another.
CREATE INDEX kairos_jobs_partition ON kairos_jobs (queue, partition_key, key_waiting, key_at, id)
  WHERE state IN ('scheduled', 'running') AND partition_key IS NOT NULL;

CREATE TABLE kairos_limiters (
  id           text    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  concurrency  integer CHECK (concurrency IS NULL OR concurrency >= 1),
  lanes        text    NOT NULL DEFAULT '{}',
  lend         boolean NOT NULL DEFAULT false,
  rate_limit   integer CHECK (rate_limit IS NULL OR rate_limit >= 1),
  rate_per_ms  bigint  CHECK (rate_per_ms IS NULL OR rate_per_ms >= 1),
  rate_log     text    NOT NULL DEFAULT '[]',
  version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at   bigint  NOT NULL,
  updated_at   bigint  NOT NULL,
  CHECK ((rate_limit IS NULL) = (rate_per_ms IS NULL))
);

-- A job that names no limiter takes its queue's limiter and lane (a lane of its own wins). One statement per insert
-- statement, over its transition table: a per-row trigger (plpgsql called for every job) cost a third of the enqueue
-- throughput of plain queues; this costs them one join of the inserted rows with kairos_queues, and writes only the
-- rows of queues that have a limiter.
CREATE FUNCTION kairos_jobs_queue_limiter() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE kairos_jobs AS j
  SET limiter = q.limiter, lane = COALESCE(j.lane, q.lane)
  FROM kairos_inserted_jobs AS n
  JOIN kairos_queues AS q ON q.name = n.queue AND q.limiter IS NOT NULL
  WHERE j.id = n.id
    AND n.limiter IS NULL;
  RETURN NULL;
END $$;

CREATE TRIGGER kairos_jobs_queue_limiter
AFTER INSERT ON kairos_jobs
REFERENCING NEW TABLE AS kairos_inserted_jobs
FOR EACH STATEMENT
EXECUTE FUNCTION kairos_jobs_queue_limiter();

CREATE FUNCTION kairos_key_lock(q text, k text) RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended(q || chr(1) || k, 4921));
$$;

-- Whether another pending or running job of the key holds the turn.
CREATE FUNCTION kairos_key_held(q text, k text, self bigint) RETURNS boolean LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
  SELECT EXISTS (SELECT 1 FROM kairos_jobs
                 WHERE queue = q AND partition_key = k AND state IN ('scheduled', 'running') AND NOT key_waiting AND id <> self);
$$;

-- A keyed job arrives: it comes in waiting, in key order by its runAt; then, once its row and every other row of the
-- same statement exist, it takes the turn when nobody holds it, or from a pending holder later in key order.
CREATE FUNCTION kairos_jobs_key_arrive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.key_at := NEW.run_at;
  NEW.key_waiting := true;
  RETURN NEW;
END $$;

CREATE TRIGGER kairos_jobs_key_arrive
BEFORE INSERT ON kairos_jobs
FOR EACH ROW WHEN (NEW.partition_key IS NOT NULL)
EXECUTE FUNCTION kairos_jobs_key_arrive();

CREATE FUNCTION kairos_jobs_key_insert() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  h record;
BEGIN
  PERFORM kairos_key_lock(NEW.queue, NEW.partition_key);
  SELECT id, state, key_at INTO h
  FROM kairos_jobs
  WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state IN ('scheduled', 'running') AND NOT key_waiting AND id <> NEW.id
  LIMIT 1;
  IF NOT FOUND THEN
    UPDATE kairos_jobs SET key_waiting = false WHERE id = NEW.id;
  ELSIF h.state = 'scheduled' AND (h.key_at, h.id) > (NEW.key_at, NEW.id) THEN
    UPDATE kairos_jobs SET key_waiting = true WHERE id = h.id;
    UPDATE kairos_jobs SET key_waiting = false WHERE id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER kairos_jobs_key_insert
AFTER INSERT ON kairos_jobs
FOR EACH ROW WHEN (NEW.partition_key IS NOT NULL)
EXECUTE FUNCTION kairos_jobs_key_insert();

-- A keyed job changes state: a holder that ends passes the turn to the first waiting job; a waiting job that ends
-- leaves the line; a lenient holder that will retry moves to its retry time and lets the first job now ahead of it
-- pass; a final job that comes back (replay) joins the line at its new runAt.
CREATE FUNCTION kairos_jobs_key_state() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  was_active boolean := OLD.state IN ('scheduled', 'running');
  is_active boolean := NEW.state IN ('scheduled', 'running');
  next_id bigint;
BEGIN
  -- Claims (scheduled → running) and snoozes or strict retries (running → scheduled) change nobody's turn.
  IF was_active AND is_active AND NOT (NEW.partition_mode = 1 AND OLD.state = 'running' AND NEW.attempt = OLD.attempt) THEN
    RETURN NULL;
  END IF;
  PERFORM kairos_key_lock(NEW.queue, NEW.partition_key);
  IF was_active AND NOT is_active THEN
    IF NEW.key_waiting THEN
      UPDATE kairos_jobs SET key_waiting = false WHERE id = NEW.id;
    ELSIF NOT kairos_key_held(NEW.queue, NEW.partition_key, NEW.id) THEN
      UPDATE kairos_jobs
      SET key_waiting = false
      WHERE id = (SELECT id FROM kairos_jobs
                  WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state IN ('scheduled', 'running') AND key_waiting
                  ORDER BY key_at, id
                  LIMIT 1);
    END IF;
  ELSIF NOT was_active AND is_active THEN
    UPDATE kairos_jobs
    SET key_at = run_at,
        key_waiting = kairos_key_held(NEW.queue, NEW.partition_key, NEW.id)
    WHERE id = NEW.id;
  ELSIF NEW.partition_mode = 1 AND OLD.state = 'running' AND NEW.state = 'scheduled' AND NEW.attempt = OLD.attempt THEN
    SELECT id INTO next_id
    FROM kairos_jobs
    WHERE queue = NEW.queue AND partition_key = NEW.partition_key AND state IN ('scheduled', 'running') AND key_waiting
      AND (key_at, id) < (NEW.run_at, NEW.id)
    ORDER BY key_at, id
    LIMIT 1;
    UPDATE kairos_jobs SET key_at = run_at, key_waiting = (next_id IS NOT NULL) WHERE id = NEW.id;
    IF next_id IS NOT NULL THEN
      UPDATE kairos_jobs SET key_waiting = false WHERE id = next_id;
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER kairos_jobs_key_state
AFTER UPDATE OF state ON kairos_jobs
FOR EACH ROW WHEN (NEW.partition_key IS NOT NULL AND OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION kairos_jobs_key_state();
