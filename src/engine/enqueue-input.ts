/**
 * Validation of what callers hand the instance's enqueue and list calls, before the store sees anything: one job, a
 * batch (every item checked first, errors named `items[i].field`), ids and list queries.
 */
import { KairosError } from '../core/errors.js';
import { assertEnqueueOptions, assertQueueName, normalizeJob, type EnqueueOptions, type JobLimits, type NewJob } from '../core/job-options.js';
import { JOB_STATES, type JobState } from '../core/job-state.js';
import type { JobListParams } from '../driver/driver.js';

/** Enqueue options plus the caller's transaction to join. */
export interface EnqueueCallOptions extends EnqueueOptions {
  /** The caller's own connection inside an open transaction (for SQLite, the Database connection of the caller). */
  tx?: unknown;
}

/** One element of enqueueMany: the payload and that job's options. */
export type EnqueueItem<I = unknown> = EnqueueOptions & { payload: I };

export interface JobListQuery {
  queue?: string;
  state?: JobState;
  /** From the previous page's nextCursor. */
  cursor?: number;
  /** 1–1000, default 50. */
  limit?: number;
}

/** One job of enqueue/enqueueSync, and the caller's transaction to join. */
export function prepareOne(queue: string, payload: unknown, options: EnqueueCallOptions | undefined, now: number, limits: JobLimits): { tx: unknown; job: NewJob } {
  assertQueueName(queue);
  if (options === undefined) return { tx: undefined, job: normalizeJob(queue, payload, undefined, now, limits) };
  // Before the destructuring below, which would turn a number or a string into {}.
  assertEnqueueOptions(options);
  const { tx, ...rest } = options;
  return { tx, job: normalizeJob(queue, payload, rest, now, limits) };
}

/** Every item of enqueueMany, validated before any is written. */
export function prepareMany(queue: string, items: readonly EnqueueItem[], now: number, limits: JobLimits): NewJob[] {
  assertQueueName(queue);
  if (!Array.isArray(items)) throw new KairosError('JOB_OPTION_INVALID', 'items: must be an array of { payload, ...options }', { details: { field: 'items' } });
  const jobs = new Array<NewJob>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null || !('payload' in item)) {
      throw new KairosError('JOB_OPTION_INVALID', `items[${i}]: must be an object with a payload`, { details: { field: `items[${i}]` } });
    }
    try {
      jobs[i] = normalizeJob(queue, item.payload, item as EnqueueOptions, now, limits, true);
    } catch (error) {
      throw asItemError(error, i);
    }
  }
  return jobs;
}

/**
 * An error about one item of a batch renamed to that item (`items[3].key`): `index` when the caller knows it, else
 * the store's `details.index`. Other errors pass unchanged.
 */
export function asItemError(error: unknown, index?: number): unknown {
  if (!(error instanceof KairosError)) return error;
  const i = index ?? error.details.index;
  if (typeof i !== 'number') return error;
  const field = `items[${i}].${error.details.field ?? ''}`;
  return new KairosError(error.code, `items[${i}].${error.message}`, { details: { ...error.details, field }, cause: error.cause });
}

export function assertId(id: unknown): asserts id is number {
  if (!Number.isSafeInteger(id) || (id as number) < 1) {
    throw new KairosError('JOB_OPTION_INVALID', `id: must be a positive integer, got ${typeof id === 'number' ? String(id) : typeof id}`, { details: { field: 'id' } });
  }
}

/** A list query as driver params, with its limit defaulted and every field checked. */
export function toListParams(query: JobListQuery): JobListParams {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new KairosError('JOB_OPTION_INVALID', `limit: must be an integer from 1 to 1000, got ${String(limit)}`, { details: { field: 'limit' } });
  }
  if (query.queue !== undefined) assertQueueName(query.queue);
  if (query.state !== undefined && !JOB_STATES.includes(query.state)) {
    throw new KairosError('JOB_OPTION_INVALID', `state: must be one of ${JOB_STATES.join(', ')}, got ${String(query.state as JobState)}`, { details: { field: 'state' } });
  }
  if (query.cursor !== undefined) assertId(query.cursor);
  return { queue: query.queue, state: query.state, cursor: query.cursor, limit };
}
