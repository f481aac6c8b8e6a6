-- 004_integer_states: a no-op on PostgreSQL, kept so both drivers carry the same migration numbers.
--
-- The SQLite 004 rebuilds kairos_jobs for three reasons, none of which applies here:
-- - Integer state codes: SQLite builds a temporary B-tree for every `state IN ('a', 'b', …)` it evaluates in a CHECK
--   or a partial index's WHERE; PostgreSQL tests such a list as a plain array comparison, so text states cost
--   nothing measurable and stay readable in psql.
-- - AUTOINCREMENT, so a pruned job's id is never given again: kairos_jobs.id is an identity column (001), and a
--   sequence never hands out a value twice, pruned rows or not.
-- - The id range as a CHECK constraint named kairos_jobs_id_range: added as such by 003.
SELECT 1;
