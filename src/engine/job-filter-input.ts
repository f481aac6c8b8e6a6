/**
 * Validation of the job filters callers give to `jobs.list` and the bulk actions: the public shape (dates, one state
 * or several, time ranges) to the driver's JobFilter, every field checked and named in the error.
 */
import { describeValue, KairosError } from '../core/errors.js';
import { assertQueueName } from '../core/job-options.js';
import { JOB_STATES, type JobState } from '../core/job-state.js';
import { readInstant } from '../core/schedule/instant-input.js';
import type { JobFilter } from '../driver/driver.js';

/** An instant: a Date, epoch ms or an ISO 8601 string with an offset. */
export type InstantInput = Date | number | string;

/** A time range: `from` inclusive, `to` exclusive; either may be left out. */
export interface TimeRange {
  from?: InstantInput;
  to?: InstantInput;
}

/** Which jobs to list or act on. Every field narrows the set. */
export interface JobFilterInput {
  queue?: string;
  /** One state or several. */
  state?: JobState | JobState[];
  /** Jobs carrying this tag. */
  tag?: string;
  /** Jobs whose key starts with this (needs `queue`; keys are per queue). */
  keyPrefix?: string;
  /** Members of a batch (and its completion job). */
  batchId?: number;
  createdAt?: TimeRange;
  runAt?: TimeRange;
  finishedAt?: TimeRange;
}

const FIELDS = ['queue', 'state', 'tag', 'keyPrefix', 'batchId', 'createdAt', 'runAt', 'finishedAt'] as const;

function filterError(field: string, what: string, value: unknown): KairosError {
  return new KairosError('FILTER_INVALID', `${field}: ${what}, got ${describeValue(value)}`, { details: { field } });
}

function range(input: unknown, field: string): { from?: number; to?: number } {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw filterError(field, 'must be an object { from?, to? }', input);
  const out: { from?: number; to?: number } = {};
  for (const k of Object.keys(input)) if (k !== 'from' && k !== 'to') throw filterError(`${field}.${k}`, 'unknown field (from, to)', (input as Record<string, unknown>)[k]);
  const r = input as TimeRange;
  if (r.from !== undefined) out.from = readInstant(r.from, `${field}.from`, 'FILTER_INVALID');
  if (r.to !== undefined) out.to = readInstant(r.to, `${field}.to`, 'FILTER_INVALID');
  return out;
}

function label(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw filterError(field, `must be a string of 1–${max} characters`, value);
  return value;
}

/** The filter as driver params. `fields` names where it sits in the caller's input (e.g. 'filter'). */
export function toJobFilter(input: JobFilterInput, options: { requireSome?: boolean; ignore?: readonly string[] } = {}): JobFilter {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw filterError('filter', 'must be an object', input);
  const ignore = options.ignore ?? [];
  for (const k of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(k) && !ignore.includes(k)) throw filterError(k, `unknown filter field (known: ${FIELDS.join(', ')})`, (input as Record<string, unknown>)[k]);
  }
  const f: JobFilter = {};
  if (input.queue !== undefined) {
    assertQueueName(input.queue);
    f.queue = input.queue;
  }
  if (input.state !== undefined) {
    const states = Array.isArray(input.state) ? input.state : [input.state];
    if (states.length === 0) throw filterError('state', 'must name at least one state', input.state);
    for (const [i, st] of states.entries()) {
      if (!JOB_STATES.includes(st)) throw filterError(Array.isArray(input.state) ? `state[${i}]` : 'state', `must be one of ${JOB_STATES.join(', ')}`, st);
    }
    f.states = [...new Set(states)];
  }
  if (input.tag !== undefined) f.tag = label(input.tag, 'tag', 64);
  if (input.keyPrefix !== undefined) {
    f.keyPrefix = label(input.keyPrefix, 'keyPrefix', 255);
    if (f.queue === undefined) throw filterError('keyPrefix', 'needs queue (keys are unique per queue)', input.keyPrefix);
  }
  if (input.batchId !== undefined) {
    if (!Number.isSafeInteger(input.batchId) || input.batchId < 1) throw filterError('batchId', 'must be a positive integer', input.batchId);
    f.batchId = input.batchId;
  }
  const created = range(input.createdAt, 'createdAt');
  const runAt = range(input.runAt, 'runAt');
  const finished = range(input.finishedAt, 'finishedAt');
  if (created.from !== undefined) f.createdFrom = created.from;
  if (created.to !== undefined) f.createdTo = created.to;
  if (runAt.from !== undefined) f.runAtFrom = runAt.from;
  if (runAt.to !== undefined) f.runAtTo = runAt.to;
  if (finished.from !== undefined) f.finishedFrom = finished.from;
  if (finished.to !== undefined) f.finishedTo = finished.to;
  if (options.requireSome === true && Object.keys(f).length === 0) {
    throw filterError('filter', 'must name at least one field (for every job in some states, give { state: [...] })', input);
  }
  return f;
}
