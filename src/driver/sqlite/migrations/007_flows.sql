-- 007_flows: dependencies between jobs, batches with a completion job, queue fallbacks, tags as rows, job filters.
--
-- A job that waits for other jobs stays `scheduled` but is held out of the claim: its run_at is the latest supported
-- instant (9999-12-31T23:59:59.999Z), so the claim's `run_at <= now` range never reaches it and the claim statements
-- and their index stay as they are; the run_at asked for waits in run_after. deps_pending counts the dependencies
-- that have not ended yet; the write that ends the last one sets run_at = max(run_after, now) in its own transaction.
-- (A new state would have meant rebuilding kairos_jobs on SQLite and rewriting the state ranges; see
-- docs/state-machine.md, "Held jobs".)
--
-- flow marks what the end of a job must still set off, in the transaction that ends it: 1 = it has dependents (edges
-- in kairos_job_deps), 2 = a caller waits for it (waitFor; the end is announced). It goes back to 0 in the same
-- transaction that writes those consequences, so each is written exactly once.

ALTER TABLE kairos_jobs ADD COLUMN flow INTEGER NOT NULL DEFAULT 0 CHECK (flow BETWEEN 0 AND 3);
-- JSON array of the ids the job depends on (for display; the edges below drive the release).
ALTER TABLE kairos_jobs ADD COLUMN depends_on TEXT;
-- What a failed, cancelled, expired or skipped dependency does to this job: 'cancel' it, or 'run' it anyway.
ALTER TABLE kairos_jobs ADD COLUMN dep_policy TEXT CHECK (dep_policy IS NULL OR dep_policy IN ('cancel', 'run'));
ALTER TABLE kairos_jobs ADD COLUMN deps_pending INTEGER NOT NULL DEFAULT 0 CHECK (deps_pending >= 0);
ALTER TABLE kairos_jobs ADD COLUMN run_after INTEGER;
ALTER TABLE kairos_jobs ADD COLUMN batch_id INTEGER;
-- The job this one is the fallback of, and on that job, its fallback: at most one per job.
ALTER TABLE kairos_jobs ADD COLUMN fallback_of INTEGER;
ALTER TABLE kairos_jobs ADD COLUMN fallback_job_id INTEGER;

-- One row per dependency not yet ended: (dependency, dependent). The end of the dependency deletes its rows.
CREATE TABLE kairos_job_deps (
  depends_on  INTEGER NOT NULL,
  job_id      INTEGER NOT NULL,
  PRIMARY KEY (depends_on, job_id)
) WITHOUT ROWID;

-- Tags as rows, so a tag filter is an index range in id order (newest first) instead of a scan of every job's JSON.
CREATE TABLE kairos_job_tags (
  tag     TEXT    NOT NULL,
  job_id  INTEGER NOT NULL,
  PRIMARY KEY (tag, job_id)
) WITHOUT ROWID;
CREATE INDEX kairos_job_tags_job ON kairos_job_tags (job_id);
INSERT OR IGNORE INTO kairos_job_tags (tag, job_id)
SELECT t.value, j.id
FROM kairos_jobs AS j, json_each(j.tags) AS t
WHERE j.tags IS NOT NULL;

-- A batch: its members carry batch_id; the completion job (also carrying it) depends on every member.
CREATE TABLE kairos_batches (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  total              INTEGER NOT NULL CHECK (total >= 1),
  completion_job_id  INTEGER,
  created_at         INTEGER NOT NULL
);

-- On batch_id alone: an index that named state would be touched by every claim and completion of every job.
CREATE INDEX kairos_jobs_batch ON kairos_jobs (batch_id) WHERE batch_id IS NOT NULL;
-- Ended jobs whose consequences are not written yet (a deadline passed in the claim): the sweep reads only these,
-- not the (possibly many) marked jobs still pending. Evaluating its predicate is all an unmarked job's end costs.
CREATE INDEX kairos_jobs_flow ON kairos_jobs (id) WHERE flow <> 0 AND finished_at IS NOT NULL;
-- Key prefix filters: a range on (queue, key) over every state (kairos_jobs_key covers only key holders).
CREATE INDEX kairos_jobs_key_prefix ON kairos_jobs (queue, key) WHERE key IS NOT NULL;
