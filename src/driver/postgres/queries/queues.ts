/** Named statements on kairos_queues for the PostgreSQL driver. */
import { nowOr, type Tables } from './tables.js';

/** The columns of a QueueRow, aliased. */
const QUEUE_COLUMNS = `name, paused, capacity, concurrency, limiter, lane, target, fallback, job_options AS "jobOptions", version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The statements over kairos_queues, on the tables of `t`. */
export function queueSql(t: Tables) {
  return {
    /** queueGet — $1 name. */
    get: `SELECT ${QUEUE_COLUMNS} FROM ${t.queues} WHERE name = $1`,

    /** queueList — every stored queue by name. */
    list: `SELECT ${QUEUE_COLUMNS} FROM ${t.queues} ORDER BY name`,

    /** queueDelete — $1 name. */
    delete: `DELETE FROM ${t.queues} WHERE name = $1`,

    /** queueSetPaused — $1 name $2 paused $3 now. Creates the row with defaults when the queue has none. */
    setPaused: `
      INSERT INTO ${t.queues} AS q (name, paused, created_at, updated_at)
      VALUES ($1, $2, ${nowOr('$3')}, ${nowOr('$3')})
      ON CONFLICT (name) DO UPDATE
      SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at, version = q.version + 1
      RETURNING ${QUEUE_COLUMNS}`,

    /**
     * queueInsert — $1 name $2 capacity $3 concurrency $4 limiter $5 lane $6 target $7 fallback $8 jobOptions $9 now
     * The create half of the compare-and-set upsert: nothing when the name exists.
     */
    insert: `
      INSERT INTO ${t.queues} (name, capacity, concurrency, limiter, lane, target, fallback, job_options, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${nowOr('$9')}, ${nowOr('$9')})
      ON CONFLICT (name) DO NOTHING
      RETURNING ${QUEUE_COLUMNS}`,

    /**
     * queueUpdate — $1…$9 as queueInsert, $10 expectedVersion (null: any version). Keeps the pause flag.
     */
    update: `
      UPDATE ${t.queues}
      SET capacity = $2, concurrency = $3, limiter = $4, lane = $5, target = $6, fallback = $7, job_options = $8,
          updated_at = ${nowOr('$9')}, version = version + 1
      WHERE name = $1
        AND ($10::integer IS NULL OR version = $10)
      RETURNING ${QUEUE_COLUMNS}`,
  };
}
