/**
 * Bulk cancel and replay of a filtered set (queue and/or state), a bounded number of jobs per request. The set is
 * read through the jobs list (keyset pages on the state and queue+state indexes), one state at a time, only states
 * the action applies to. A first call counts (the confirmation states how many); the second acts.
 *
 * When the library gains bulk actions by filter (issue 10), this file gives way to them.
 */
import { FINAL_STATES, type JobState } from '../../core/job-state.js';
import type { Kairos } from '../../engine/kairos.js';

/** Most jobs one bulk request counts or changes. */
export const BULK_MAX = 10_000;
const PAGE = 500;

export type BulkAction = 'cancel' | 'replay';

export interface BulkFilter {
  queue?: string;
  state?: JobState;
}

const APPLIES: Record<BulkAction, readonly JobState[]> = { cancel: ['scheduled', 'running'], replay: FINAL_STATES };

/** The states of the filter the action applies to (none when the filter names another state). */
export function bulkStates(action: BulkAction, filter: BulkFilter): JobState[] {
  const states = APPLIES[action];
  return filter.state === undefined ? [...states] : states.includes(filter.state) ? [filter.state] : [];
}

/** Ids of the jobs the action would change, newest first, at most BULK_MAX (then `capped`). */
export async function bulkMatch(kairos: Kairos, action: BulkAction, filter: BulkFilter): Promise<{ ids: number[]; capped: boolean }> {
  const ids: number[] = [];
  for (const state of bulkStates(action, filter)) {
    let cursor: number | undefined;
    do {
      const page = await kairos.jobs.list({ queue: filter.queue, state, cursor, limit: PAGE });
      for (const j of page.jobs) {
        if (ids.length === BULK_MAX) return { ids, capped: true };
        ids.push(j.id);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  return { ids, capped: false };
}

/** Applies the action to each matched job; a job that moved on meanwhile (no longer eligible) is counted as skipped. */
export async function bulkApply(kairos: Kairos, action: BulkAction, ids: readonly number[]): Promise<{ changed: number; skipped: number }> {
  let changed = 0;
  let skipped = 0;
  for (const id of ids) {
    try {
      if (action === 'cancel') {
        if (await kairos.cancel(id)) changed++;
        else skipped++;
      } else {
        await kairos.replay(id);
        changed++;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'JOB_STATE_CONFLICT' || code === 'JOB_NOT_FOUND') skipped++;
      else throw error;
    }
  }
  return { changed, skipped };
}
