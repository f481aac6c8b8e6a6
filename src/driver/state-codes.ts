/**
 * How stores keep a job's state: a small integer, not its name (migration 004). Rows and params cross the seam with
 * names; drivers translate with these tables. The order is chosen so that ranges state the common sets: a job holds
 * its dedupe key while state <= completed, and is final while state >= completed.
 */
import type { JobState } from '../core/job-state.js';

/** The stored code of each state. Never renumber: stores hold these values. */
export const STATE_CODE = {
  scheduled: 0,
  running: 1,
  completed: 2,
  failed: 3,
  cancelled: 4,
  expired: 5,
  skipped: 6,
} as const satisfies Record<JobState, number>;

/** The state of each stored code (the inverse of {@link STATE_CODE}). */
export const STATE_NAME: readonly JobState[] = (Object.keys(STATE_CODE) as JobState[]).sort((a, b) => STATE_CODE[a] - STATE_CODE[b]);

/** A SQL expression giving the name of the state code in column `column`, for statements that return states. */
export function stateNameSql(column: string): string {
  return `CASE ${column} ${STATE_NAME.map((name, code) => `WHEN ${code} THEN '${name}'`).join(' ')} END`;
}
