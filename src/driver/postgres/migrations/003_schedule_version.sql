-- 003_schedule_version: a version per schedule row, raised by every write. Upserts and materialize passes are
-- compare-and-set on it, so the engine plans outside any transaction and a plan made from a stale read is dropped.

ALTER TABLE kairos_schedules ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- Job ids stay below 2^53 − 2^20 (ids.ts MAX_JOB_ID), so every id reads back as an exact JavaScript number; an insert
-- past it fails as a whole instead of storing a row whose id would be rounded. (SQLite does this with a trigger.)
ALTER TABLE kairos_jobs ADD CONSTRAINT kairos_jobs_id_range CHECK (id BETWEEN 1 AND 9007199253692416);
