/** Named statements on kairos_queues for the SQLite driver. */

/** The columns of a QueueRow, aliased; `paused` is 0/1 here and made a boolean by the driver. */
const QUEUE_COLUMNS = `name, paused, capacity, concurrency, limiter, lane, target, fallback, job_options AS jobOptions, version,
  created_at AS createdAt, updated_at AS updatedAt`;

export const queueSql = {
  /** queueGet — :name */
  get: `SELECT ${QUEUE_COLUMNS} FROM kairos_queues WHERE name = :name`,

  /** queueList — every stored queue by name. */
  list: `SELECT ${QUEUE_COLUMNS} FROM kairos_queues ORDER BY name`,

  /** queueDelete — :name */
  delete: `DELETE FROM kairos_queues WHERE name = :name`,

  /** queueSetPaused — :name :paused :now; creates the row with defaults when the queue has none. */
  setPaused: `
    INSERT INTO kairos_queues (name, paused, created_at, updated_at)
    VALUES (:name, :paused, :now, :now)
    ON CONFLICT (name) DO UPDATE
    SET paused = excluded.paused, updated_at = excluded.updated_at, version = version + 1
    RETURNING ${QUEUE_COLUMNS}`,

  /** queueInsert — :name :capacity :concurrency :limiter :lane :target :fallback :jobOptions :now; nothing when it exists. */
  insert: `
    INSERT INTO kairos_queues (name, capacity, concurrency, limiter, lane, target, fallback, job_options, created_at, updated_at)
    VALUES (:name, :capacity, :concurrency, :limiter, :lane, :target, :fallback, :jobOptions, :now, :now)
    ON CONFLICT (name) DO NOTHING
    RETURNING ${QUEUE_COLUMNS}`,

  /** queueUpdate — as queueInsert plus :expectedVersion (null: any version). Keeps the pause flag. */
  update: `
    UPDATE kairos_queues
    SET capacity = :capacity, concurrency = :concurrency, limiter = :limiter, lane = :lane, target = :target,
        fallback = :fallback, job_options = :jobOptions, updated_at = :now, version = version + 1
    WHERE name = :name
      AND (:expectedVersion IS NULL OR version = :expectedVersion)
    RETURNING ${QUEUE_COLUMNS}`,
} as const;
