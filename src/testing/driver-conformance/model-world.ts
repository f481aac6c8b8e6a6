/** The model of the model-based conformance run: the world it keeps, how it moves a job, and small helpers. */
import { KairosError } from '../../core/errors.js';
import { nextState, type AttemptOutcome, type JobState, type TransitionEvent } from '../../core/job-state.js';
import type { JobRow } from '../../driver/driver.js';

export const QUEUES = ['q', 'r'] as const;
export const KEYS = ['a', 'b'] as const;
export const OWNERS = ['w1', 'w2'] as const;
/** An id no job has: cancel gives null and replay JOB_NOT_FOUND. */
export const MISSING_ID = 999_999_999;
/** The states in which a job holds its dedupe key (the unique index of the stores). */
export const KEY_HOLDING: readonly JobState[] = ['scheduled', 'running', 'completed'];


export interface ExpectedAttempt { attempt: number; workerId: string; startedAt: number; finishedAt: number; outcome: AttemptOutcome }

/** The fields of JobRow the model predicts. */
export const MODELLED = ['queue', 'key', 'payload', 'state', 'priority', 'runAt', 'attempt', 'maxAttempts', 'deadline', 'owner', 'workerId',
  'leaseUntil', 'startedAt', 'finishedAt', 'result'] as const;
export type ModelRow = Pick<JobRow, (typeof MODELLED)[number] | 'id'>;

/** A job as the model expects the store to hold it. */
export interface ModelJob extends ModelRow {
  /** Expected attemptListByJob, oldest first. */
  attempts: ExpectedAttempt[];
  pruned: boolean;
  /** The state the last look saw, and the events the model applied since. */
  seen: JobState;
  events: TransitionEvent[];
}

/** The model: a clock that only moves forward, every job ever created (pruned ones stay, marked), a trace of steps. */
export interface World { now: number; jobs: Map<number, ModelJob>; trace: string[]; serial: number }

export class ModelFailure extends Error {}

export function fail(w: World, message: string): never {
  throw new ModelFailure(`${message}\n\nSteps of this run (t = ms after T0, #id = job id):\n  ${w.trace.join('\n  ')}`);
}

/** Moves a model job by the table, so the model cannot make a move TRANSITIONS does not list. */
export function move(job: ModelJob, event: TransitionEvent): void {
  const to = nextState(job.state, event);
  if (to === undefined) throw new Error(`model bug: ${event} from ${job.state}`);
  job.state = to;
  job.events.push(event);
}

export function release(job: ModelJob): void {
  job.owner = null;
  job.leaseUntil = null;
}

export const live = (w: World): ModelJob[] => [...w.jobs.values()].filter((j) => !j.pruned);
export const pickFrom = <T>(list: readonly T[], pick: number): T | undefined => list[pick % Math.max(1, list.length)];
export const codeOf = (e: unknown): string => (e instanceof KairosError ? e.code : `non-KairosError ${String(e)}`);
/** JSON with object keys sorted, so answers compare whatever order a driver builds them in. */
export const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));


export function rowDiff(job: ModelRow, row: JobRow): string {
  return MODELLED.filter((f) => row[f] !== job[f]).map((f) => `${f}: store ${show(row[f])}, model ${show(job[f])}`).join('; ');
}
