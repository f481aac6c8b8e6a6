-- 008_progress: what a running handler reports, kept per attempt: its latest progress (one row, replaced) and its log
-- lines (appended). Written only while the job is running with the same owner and attempt (attemptReportMany);
-- deleted with their job by the pruner. Bounds (docs/handlers.md): progress JSON ≤ 4 KiB, a line ≤ 1 KiB, at most 200
-- lines per attempt plus one line saying how many more were dropped; the engine keeps them, the CHECKs back them up.

CREATE TABLE kairos_attempt_progress (
  job_id      INTEGER NOT NULL,
  attempt     INTEGER NOT NULL CHECK (attempt >= 1),
  progress    TEXT    NOT NULL CHECK (length(progress) <= 4096),
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (job_id, attempt)
) WITHOUT ROWID;

CREATE TABLE kairos_attempt_logs (
  id       INTEGER PRIMARY KEY,
  job_id   INTEGER NOT NULL,
  attempt  INTEGER NOT NULL CHECK (attempt >= 1),
  at       INTEGER NOT NULL,
  line     TEXT    NOT NULL CHECK (length(line) <= 1024)
);

CREATE INDEX kairos_attempt_logs_job ON kairos_attempt_logs (job_id, id);
