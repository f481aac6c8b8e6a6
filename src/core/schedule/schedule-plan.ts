/**
 * Decides, for one schedule at one instant, which occurrences become jobs, which are recorded as missed or skipped,
 * and where the schedule goes next. Pure: the store runs it inside the transaction that writes its result, so two
 * instances can never both act on one occurrence (and the occurrence's unique key would stop them if they did).
 */
import type { JobState } from '../job-state.js';
import type { MisfirePolicy, OverlapPolicy } from './schedule-definition.js';
import type { CompiledRule } from './index.js';

/** The stored state of a schedule that the planner reads. */
export interface ScheduleState {
  id: string;
  misfire: MisfirePolicy;
  catchUpLimit: number;
  misfireGraceMs: number;
  overlap: OverlapPolicy;
  spreadOffsetMs: number;
  endAt: number | null;
  maxRuns: number | null;
  runs: number;
  /** The next nominal occurrence not yet handled; null when the schedule has ended. */
  nextAt: number | null;
  /** An occurrence held back by overlap 'buffer-one', waiting for the previous job to finish. */
  bufferedAt: number | null;
  /** State of the job of the latest enqueued occurrence (null if none or pruned). */
  lastJobState: JobState | null;
}

/** What happened to one occurrence. */
export type OccurrenceStatus = 'enqueued' | 'missed' | 'skipped' | 'buffered';

export interface PlannedOccurrence {
  /** Nominal occurrence instant (the idempotency key with the schedule id). */
  at: number;
  /** When its job is due: at + the schedule's spread offset (or now, for a released buffered occurrence). */
  fireAt: number;
  status: OccurrenceStatus;
  /** Why it was missed or skipped, for the history. */
  reason: string | null;
}

export interface SchedulePlan {
  occurrences: PlannedOccurrence[];
  nextAt: number | null;
  bufferedAt: number | null;
  /** The buffered occurrence released in this pass (its record changes from buffered to enqueued). */
  released: PlannedOccurrence | null;
}

/** Most occurrences one pass handles for one schedule; the rest wait for the next pass (keeps transactions short). */
export const MAX_OCCURRENCES_PER_PASS = 1_000;

const ACTIVE: readonly (JobState | null)[] = ['scheduled', 'running'];

/** Plans everything due at `now` (occurrences whose fire time is ≤ now). */
export function planSchedule(s: ScheduleState, rule: CompiledRule, now: number): SchedulePlan {
  const due: number[] = [];
  // Re-check the stored next occurrence against the rule as it is now (a calendar may have changed since).
  let next = s.nextAt === null ? null : rule.next(s.nextAt - 1);
  if (next !== null && s.endAt !== null && next > s.endAt) next = null;
  let runs = s.runs;
  while (next !== null && next + s.spreadOffsetMs <= now && due.length < MAX_OCCURRENCES_PER_PASS) {
    due.push(next);
    next = rule.next(next);
    if (next !== null && s.endAt !== null && next > s.endAt) next = null;
  }

  const occurrences: PlannedOccurrence[] = [];
  let released: PlannedOccurrence | null = null;
  let bufferedAt = s.bufferedAt;
  let previousActive = ACTIVE.includes(s.lastJobState);

  // A buffered occurrence goes out as soon as the job before it has finished.
  if (bufferedAt !== null && !previousActive) {
    released = { at: bufferedAt, fireAt: now, status: 'enqueued', reason: null };
    bufferedAt = null;
    previousActive = true;
    runs++;
  }

  const onTime = (at: number): boolean => now - (at + s.spreadOffsetMs) <= s.misfireGraceMs;
  const late = due.filter((at) => !onTime(at));
  const lateToEnqueue = new Set<number>();
  if (late.length > 0 && late.length === due.length) {
    if (s.misfire === 'once') lateToEnqueue.add(late[late.length - 1]!);
    else if (s.misfire === 'all') for (const at of late.slice(-s.catchUpLimit)) lateToEnqueue.add(at);
  } else if (s.misfire === 'all') {
    // Some occurrences are on time: catch up the late ones under 'all' only; 'once' needs no catch-up then.
    for (const at of late.slice(-s.catchUpLimit)) lateToEnqueue.add(at);
  }

  for (const at of due) {
    const fireAt = at + s.spreadOffsetMs;
    const wanted = onTime(at) || lateToEnqueue.has(at);
    if (!wanted) {
      occurrences.push({ at, fireAt, status: 'missed', reason: `no instance materialized it within ${s.misfireGraceMs} ms (misfire ${s.misfire})` });
      continue;
    }
    if (s.maxRuns !== null && runs >= s.maxRuns) break;
    if (previousActive && s.overlap === 'skip') {
      occurrences.push({ at, fireAt, status: 'skipped', reason: 'the previous occurrence was still pending or running (overlap skip)' });
      continue;
    }
    if (previousActive && s.overlap === 'buffer-one') {
      if (bufferedAt === null) {
        bufferedAt = at;
        occurrences.push({ at, fireAt, status: 'buffered', reason: 'waiting for the previous occurrence to finish (overlap buffer-one)' });
      } else {
        occurrences.push({ at, fireAt, status: 'skipped', reason: 'one occurrence is already buffered (overlap buffer-one)' });
      }
      continue;
    }
    occurrences.push({ at, fireAt, status: 'enqueued', reason: null });
    previousActive = true;
    runs++;
  }
  if (s.maxRuns !== null && runs >= s.maxRuns) next = null;
  return { occurrences, nextAt: next, bufferedAt, released };
}
