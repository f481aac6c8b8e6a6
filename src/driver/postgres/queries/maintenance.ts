/** Named statements of the PostgreSQL driver's housekeeping (storeMaintain). */
import type { Tables } from './tables.js';

/** The tables that churn: every job is inserted, updated twice and deleted; attempts and occurrences are pruned. */
export const CHURNING_TABLES = ['kairos_jobs', 'kairos_attempts', 'kairos_occurrences'] as const;

export function maintenanceSql(t: Tables) {
  return {
    /**
     * storeDeadTuples — $1 schema, $2 table names; whether autovacuum runs on this server, and the dead and live
     * tuples of each churning table as the statistics system last saw them.
     */
    deadTuples: `
      SELECT current_setting('autovacuum') = 'on' AS autovacuum, relname AS "table", n_dead_tup::float8 AS dead,
        n_live_tup::float8 AS live
      FROM pg_stat_user_tables
      WHERE schemaname = $1
        AND relname = ANY ($2::text[])
      ORDER BY relname`,

    /** vacuum — one statement per table (VACUUM takes no parameters and runs outside a transaction). */
    vacuum: Object.fromEntries(CHURNING_TABLES.map((name) => [name, `VACUUM (ANALYZE) ${name === 'kairos_jobs' ? t.jobs : name === 'kairos_attempts' ? t.attempts : t.occurrences}`])) as Record<
      (typeof CHURNING_TABLES)[number],
      string
    >,
  };
}
