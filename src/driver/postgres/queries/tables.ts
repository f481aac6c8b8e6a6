/**
 * The schema-qualified names the statements of queries/ use, and the SQL of the store clock. The schema is validated
 * as an identifier once (postgres-options.ts) and quoted here; every value is still bound.
 */

/** Quoted, schema-qualified names of the driver's tables and sequence. */
export interface Tables {
  jobs: string;
  attempts: string;
  attemptProgress: string;
  attemptLogs: string;
  schedules: string;
  occurrences: string;
  calendars: string;
  instances: string;
  queues: string;
  jobDeps: string;
  jobTags: string;
  batches: string;
  apiKeys: string;
  limiters: string;
  migrations: string;
  /** The identity sequence of kairos_jobs.id, as a regclass literal for nextval(). */
  jobIdSeq: string;
}

/** The names of the driver's tables in `schema` (already validated as an identifier). */
export function tablesIn(schema: string): Tables {
  const q = (name: string) => `"${schema}"."${name}"`;
  return {
    jobs: q('kairos_jobs'), attempts: q('kairos_attempts'), attemptProgress: q('kairos_attempt_progress'), attemptLogs: q('kairos_attempt_logs'),
    schedules: q('kairos_schedules'), occurrences: q('kairos_occurrences'), calendars: q('kairos_calendars'), instances: q('kairos_instances'),
    queues: q('kairos_queues'), jobDeps: q('kairos_job_deps'), jobTags: q('kairos_job_tags'), batches: q('kairos_batches'),
    apiKeys: q('kairos_api_keys'), limiters: q('kairos_limiters'), migrations: q('kairos_migrations'), jobIdSeq: `'${q('kairos_jobs_id_seq')}'::regclass`,
  };
}

/**
 * The database clock in epoch ms. statement_timestamp() is fixed for the whole statement (clock_timestamp() would
 * move between the rows of one UPDATE) and is STABLE, so a run_at range on it can still use an index.
 */
export const DB_CLOCK = 'floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint';

/** `now` as the caller gave it (parameter `param`), or the database clock when it is null. */
export function nowOr(param: string): string {
  return `COALESCE(${param}::bigint, ${DB_CLOCK})`;
}
