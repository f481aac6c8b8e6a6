/**
 * Validation of enqueue input into the row the store writes. Runs once per job on the enqueue hot path, so it
 * avoids allocation on the common case (no options). Every error names the option that was wrong.
 */
import { parseBackoff, type BackoffPolicyNames, type BackoffSpec } from './backoff.js';
import { describeValue, KairosError } from './errors.js';
import { serializePayload } from './payload.js';
import { isSupportedInstant, readInstant } from './schedule/instant-input.js';

/** What to do when a job with the same queue and key is already pending, running or completed. */
export type DedupePolicy = 'reject' | 'keep' | 'replace';

/** Options of one enqueued job. */
export interface EnqueueOptions {
  /**
   * When the job becomes due: a Date, integer epoch ms or an ISO 8601 string with `Z` or an offset, within years
   * 0001–9999. Default: now. Mutually exclusive with delayMs.
   */
  runAt?: Date | number | string;
  /** Due this many milliseconds from now (integer ≥ 0; now + delayMs must stay within year 9999). */
  delayMs?: number;
  /** De-duplication key, unique per queue among pending, running and completed jobs (1–255 characters). */
  key?: string;
  /** What a second enqueue with the same key does. Default 'keep': return the existing job. */
  dedupe?: DedupePolicy;
  /** Lower runs first among due jobs of a queue; integer −1000…1000, default 0. */
  priority?: number;
  /** Attempts before the job fails for good; integer 1…1000, default from config (5). */
  maxAttempts?: number;
  /** Delay between attempts. Default: exponential, base 1 s, cap 1 h, full jitter. */
  backoff?: BackoffSpec;
  /** Per-attempt time limit in ms; the handler's AbortSignal fires when it passes. */
  timeoutMs?: number;
  /** The latest instant the job may start (same forms as runAt); after it the job is expired and never runs. */
  deadline?: Date | number | string;
  /** Free labels for filtering (at most 20, each 1–64 characters). */
  tags?: string[];
  /**
   * Ids of jobs that must complete before this one runs (at most 1,000, distinct). Until then the job is held:
   * scheduled, but never claimed. Each must exist when the job is enqueued.
   */
  dependsOn?: number[];
  /**
   * What a dependency that fails, is cancelled, expires or is skipped does: 'cancel' this job (default; the reason
   * is its lastError) or 'run' it anyway once every dependency has ended.
   */
  onDependencyFailure?: 'cancel' | 'run';
  /** The limiter the job passes through, overriding its queue's (docs/flow-control.md). */
  limiter?: string;
  /** The job's lane in its limiter (its own limiter's, or its queue's). */
  lane?: string;
  /** Jobs with the same partition key in a queue run one at a time, in runAt then enqueue order (1–255 characters). */
  partitionKey?: string;
  /** What a failed attempt does to the key's line: 'strict' (default) holds the key until the job retries and ends; 'lenient' lets the next job pass. */
  partitionMode?: PartitionMode;
}

/** A validated job, ready for the store. Times are epoch ms; JSON fields are already serialized. */
export interface NewJob {
  queue: string;
  payload: string;
  runAt: number;
  key: string | null;
  dedupe: DedupePolicy;
  priority: number;
  maxAttempts: number;
  backoff: string | null;
  timeoutMs: number | null;
  deadline: number | null;
  tags: string | null;
  /** Set on jobs produced by a schedule: its id and the nominal occurrence instant. */
  scheduleId?: string | null;
  occurrenceAt?: number | null;
  /** Ids of jobs that must complete first (distinct); the job is held until they end. */
  dependsOn?: readonly number[] | null;
  /** What a dependency that fails, is cancelled, expires or is skipped does to this job (default 'cancel'). */
  dependencyPolicy?: 'cancel' | 'run' | null;
  /** Flow control (docs/flow-control.md): the job's own limiter and lane (else its queue's), its partition key. */
  limiter?: string | null;
  lane?: string | null;
  partitionKey?: string | null;
  /** 'lenient' lets the next job of the key pass while this one waits to retry; default 'strict'. */
  partitionMode?: PartitionMode;
}

/** What a failed job of a partition key does to the key's line (docs/flow-control.md). */
export type PartitionMode = 'strict' | 'lenient';

/** Limits that validation applies; from the resolved config. */
export interface JobLimits {
  payloadMaxBytes: number;
  defaultMaxAttempts: number;
  /** The registered custom backoff policies; a custom backoff must name one of them. */
  backoffPolicies: BackoffPolicyNames;
}

export const MAX_ATTEMPTS_LIMIT = 1000;
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
const MAX_TIMEOUT_MS = 7 * 24 * 3_600_000;
const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const OPTION_NAMES = new Set([
  'runAt', 'delayMs', 'key', 'dedupe', 'priority', 'maxAttempts', 'backoff', 'timeoutMs', 'deadline', 'tags', 'dependsOn', 'onDependencyFailure',
  'limiter', 'lane', 'partitionKey', 'partitionMode',
]);
const MAX_DEPENDENCIES = 1000;
const FLOW_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

function optionError(field: string, what: string): KairosError {
  return new KairosError('JOB_OPTION_INVALID', `${field}: ${what}`, { details: { field } });
}

/** Throws QUEUE_NAME_INVALID unless `queue` is 1–128 characters of [A-Za-z0-9_.:-]. */
export function assertQueueName(queue: unknown): asserts queue is string {
  if (typeof queue !== 'string' || !QUEUE_NAME.test(queue)) {
    throw new KairosError('QUEUE_NAME_INVALID', `queue: ${describeValue(queue)} is not a valid queue name (1–128 characters of A-Z a-z 0-9 _ . : -)`, {
      details: { field: 'queue' },
    });
  }
}

/** Throws JOB_OPTION_INVALID naming `options` unless `options` is undefined or a plain object (not an array). */
export function assertEnqueueOptions(options: unknown): asserts options is EnqueueOptions | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw optionError('options', `must be an object such as { delayMs: 1000 }, got ${describeValue(options)}`);
  }
}

/** Epoch ms of a Date, integer epoch ms or ISO 8601 string with an offset, within years 0001–9999; throws naming `field`. */
export function parseInstant(value: unknown, field: string): number {
  return readInstant(value, field, 'JOB_OPTION_INVALID');
}

function intIn(options: EnqueueOptions, field: keyof EnqueueOptions, min: number, max: number): number | undefined {
  const v = options[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw optionError(field, `must be an integer from ${min} to ${max}, got ${describeValue(v)}`);
  }
  return v;
}

/** Validates one job's input. `now` is the engine clock's time, used for delayMs and the default runAt. */
export function normalizeJob(
  queue: string,
  payload: unknown,
  options: EnqueueOptions | undefined,
  now: number,
  limits: JobLimits,
  /** True when `options` is an enqueueMany item that also carries the payload. */
  itemForm = false,
): NewJob {
  const json = serializePayload(payload, limits.payloadMaxBytes);
  if (options === undefined) {
    return { queue, payload: json, runAt: now, key: null, dedupe: 'keep', priority: 0, maxAttempts: limits.defaultMaxAttempts, backoff: null, timeoutMs: null, deadline: null, tags: null };
  }
  assertEnqueueOptions(options);
  for (const name in options) {
    if (!OPTION_NAMES.has(name) && !(itemForm && name === 'payload')) throw unknownOption(name);
  }
  const runAt = readRunAt(options, now);
  let key: string | null = null;
  if (options.key !== undefined) {
    if (typeof options.key !== 'string' || options.key.length === 0 || options.key.length > 255) {
      throw optionError('key', `must be a string of 1–255 characters, got ${describeValue(options.key)}`);
    }
    key = options.key;
  }
  const dedupe = options.dedupe ?? 'keep';
  if (dedupe !== 'keep' && dedupe !== 'reject' && dedupe !== 'replace') throw optionError('dedupe', `must be "keep", "reject" or "replace", got ${describeValue(dedupe)}`);
  const priority = intIn(options, 'priority', PRIORITY_MIN, PRIORITY_MAX) ?? 0;
  const maxAttempts = intIn(options, 'maxAttempts', 1, MAX_ATTEMPTS_LIMIT) ?? limits.defaultMaxAttempts;
  const timeoutMs = intIn(options, 'timeoutMs', 1, MAX_TIMEOUT_MS) ?? null;
  const backoff = options.backoff === undefined ? null : JSON.stringify(parseBackoff(options.backoff, 'backoff', limits.backoffPolicies));
  let deadline: number | null = null;
  if (options.deadline !== undefined) {
    deadline = parseInstant(options.deadline, 'deadline');
    // Refused rather than stored as a job that can only expire: the caller's clock or arithmetic is wrong.
    if (deadline < now) throw optionError('deadline', `${new Date(deadline).toISOString()} has already passed (now ${new Date(now).toISOString()}); the job could never start`);
    if (deadline < runAt) throw optionError('deadline', `is before runAt (${new Date(runAt).toISOString()}); the job could never start`);
  }
  const job: NewJob = { queue, payload: json, runAt, key, dedupe, priority, maxAttempts, backoff, timeoutMs, deadline, tags: parseTags(options.tags) };
  if (options.dependsOn !== undefined || options.onDependencyFailure !== undefined) {
    job.dependsOn = parseDependsOn(options.dependsOn);
    const policy = options.onDependencyFailure ?? 'cancel';
    if (policy !== 'cancel' && policy !== 'run') throw optionError('onDependencyFailure', `must be "cancel" or "run", got ${describeValue(policy)}`);
    if (job.dependsOn === null) throw optionError('onDependencyFailure', 'needs dependsOn');
    job.dependencyPolicy = policy;
  }
  if (options.limiter !== undefined || options.lane !== undefined || options.partitionKey !== undefined || options.partitionMode !== undefined) readFlow(options, job);
  return job;
}

function parseDependsOn(ids: unknown): number[] | null {
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_DEPENDENCIES) {
    throw optionError('dependsOn', `must be an array of 1 to ${MAX_DEPENDENCIES} job ids, got ${describeValue(ids)}`);
  }
  const seen = new Set<number>();
  for (const [i, id] of ids.entries()) {
    if (!Number.isSafeInteger(id) || (id as number) < 1) throw optionError(`dependsOn[${i}]`, `must be a job id (a positive integer), got ${describeValue(id)}`);
    if (seen.has(id as number)) throw optionError(`dependsOn[${i}]`, `job ${String(id)} is listed twice`);
    seen.add(id as number);
  }
  return ids as number[];
}

/** The flow-control options of a job, onto `job`. */
function readFlow(options: EnqueueOptions, job: NewJob): void {
  for (const field of ['limiter', 'lane'] as const) {
    const v = options[field];
    if (v !== undefined && (typeof v !== 'string' || !FLOW_NAME.test(v))) throw optionError(field, `must be 1–128 characters of A-Z a-z 0-9 _ . : -, got ${describeValue(v)}`);
  }
  const pk = options.partitionKey;
  if (pk !== undefined && (typeof pk !== 'string' || pk.length === 0 || pk.length > 255)) throw optionError('partitionKey', `must be a string of 1–255 characters, got ${describeValue(pk)}`);
  const mode = options.partitionMode;
  if (mode !== undefined && mode !== 'strict' && mode !== 'lenient') throw optionError('partitionMode', `must be "strict" or "lenient", got ${describeValue(mode)}`);
  if (mode !== undefined && pk === undefined) throw optionError('partitionMode', 'needs a partitionKey');
  job.limiter = options.limiter ?? null;
  job.lane = options.lane ?? null;
  job.partitionKey = pk ?? null;
  job.partitionMode = mode ?? 'strict';
}

function unknownOption(name: string): KairosError {
  // Index keys mean an array or a string was spread into the options (enqueue('q', payload, 'fast')).
  if (name === '0') return optionError('options', 'must be an object of named options such as { delayMs: 1000 }, not an array or a string');
  const allowed = `allowed: ${[...OPTION_NAMES].join(', ')}`;
  // A long unknown name is not repeated as the field; the message shows a capped preview of it.
  if (name.length > 64) return optionError('options', `unknown option ${describeValue(name)} (${allowed})`);
  return optionError(name, `unknown option (${allowed})`);
}

/** runAt from runAt or delayMs (not both), within years 0001–9999. */
function readRunAt(options: EnqueueOptions, now: number): number {
  if (options.runAt !== undefined && options.delayMs !== undefined) throw optionError('delayMs', 'give runAt or delayMs, not both');
  if (options.runAt !== undefined) return parseInstant(options.runAt, 'runAt');
  if (options.delayMs === undefined) return now;
  const d = options.delayMs;
  if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw optionError('delayMs', `must be an integer ≥ 0, got ${describeValue(d)}`);
  if (!isSupportedInstant(now + d)) throw optionError('delayMs', `${d} ms from now is past the latest supported instant, 9999-12-31T23:59:59.999Z`);
  return now + d;
}

function parseTags(tags: unknown): string | null {
  if (tags === undefined) return null;
  if (!Array.isArray(tags) || tags.length > 20) throw optionError('tags', `must be an array of at most 20 strings, got ${describeValue(tags)}`);
  for (const [i, t] of tags.entries()) {
    if (typeof t !== 'string' || t.length === 0 || t.length > 64) throw optionError(`tags[${i}]`, `must be a string of 1–64 characters, got ${describeValue(t)}`);
  }
  return tags.length === 0 ? null : JSON.stringify(tags);
}
