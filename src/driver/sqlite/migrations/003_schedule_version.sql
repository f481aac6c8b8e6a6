-- 003_schedule_version: a version per schedule row, raised by every write. Upserts and materialize passes are
-- compare-and-set on it, so the engine plans outside any transaction and a plan made from a stale read is dropped.

ALTER TABLE kairos_schedules ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);

-- Job ids stay below 2^53 − 2^20 (ids.ts MAX_JOB_ID), so every id reads back as an exact JavaScript number; an insert
-- past it fails as a whole instead of storing a row whose id would be rounded.
CREATE TRIGGER kairos_jobs_id_range
AFTER INSERT ON kairos_jobs
WHEN NEW.id > 9007199253692416
BEGIN
  SELECT RAISE(ABORT, 'kairos_jobs_id_range');
END;
