-- 004_integer_states: on PostgreSQL, vacuum settings for the tables that churn; the same number as SQLite's 004.
--
-- The SQLite 004 rebuilds kairos_jobs for three reasons, none of which applies here:
-- - Integer state codes: SQLite builds a temporary B-tree for every `state IN ('a', 'b', …)` it evaluates in a CHECK
--   or a partial index's WHERE; PostgreSQL tests such a list as a plain array comparison, so text states cost
--   nothing measurable and stay readable in psql.
-- - AUTOINCREMENT, so a pruned job's id is never given again: kairos_jobs.id is an identity column (001), and a
--   sequence never hands out a value twice, pruned rows or not.
-- - The id range as a CHECK constraint named kairos_jobs_id_range: added as such by 003.
--
-- What this migration does instead: every job leaves three dead row versions (claim, completion, prune), so the
-- default trigger of autovacuum (20 % of the table dead) lets a busy jobs table bloat between runs. These tables are
-- vacuumed after a fixed number of dead rows instead, without cost-based sleeping. Where the server's autovacuum is
-- off, the driver's storeMaintain() vacuums them itself.
ALTER TABLE kairos_jobs SET (
  autovacuum_vacuum_scale_factor = 0.0,
  autovacuum_vacuum_threshold = 10000,
  autovacuum_vacuum_insert_scale_factor = 0.0,
  autovacuum_vacuum_insert_threshold = 50000,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE kairos_attempts SET (
  autovacuum_vacuum_scale_factor = 0.0,
  autovacuum_vacuum_threshold = 10000,
  autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE kairos_occurrences SET (
  autovacuum_vacuum_scale_factor = 0.0,
  autovacuum_vacuum_threshold = 10000,
  autovacuum_vacuum_cost_delay = 0
);
