/**
 * Validation of enqueue input into the row the store writes. Runs once per job on the enqueue hot path, so it
 * avoids allocation on the common case (no options). Every error names the option that was wrong.
 */
import { parseBackoff, type BackoffPolicyNames, type BackoffSpec } from './backoff.js';
import { describeValue, KairosError } from './errors.js';
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
}

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
const OPTION_NAMES = new Set(['runAt', 'delayMs', 'key', 'dedupe', 'priority', 'maxAttempts', 'backoff', 'timeoutMs', 'deadline', 'tags']);
/** Payload nesting the fast check walks; deeper payloads take the exact walk, which also finds cycles. */
const FAST_CHECK_DEPTH = 64;
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,63}$/;
const MAX_PATH = 256;

function optionError(field: string, what: string): KairosError {
  return new KairosError('JOB_OPTION_INVALID', `${field}: ${what}`, { details: { field } });
}

function payloadError(path: string, what: string, cause?: unknown): KairosError {
  // A path through thousands of levels would make a huge message; keep its start and its end.
  const field = path.length <= MAX_PATH ? path : `${path.slice(0, 7)}…${path.slice(8 - MAX_PATH)}`;
  return new KairosError('PAYLOAD_INVALID', `${field}: ${what}`, { details: { field }, cause });
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

/**
 * Serializes a payload as JSON, refusing what JSON would drop, turn into null or cannot carry (undefined, functions,
 * symbols, NaN, ±Infinity, BigInt, cycles) and naming its path; enforces the size limit.
 */
export function serializePayload(payload: unknown, maxBytes: number): string {
  let json: string | undefined;
  try {
    // The fast check allocates nothing and passes ordinary payloads; the exact walk runs only when it does not.
    if (!isPlainJson(payload, 0)) throwIfUnserializable(payload);
    json = JSON.stringify(payload);
  } catch (cause) {
    if (cause instanceof KairosError) throw cause;
    // A getter or toJSON threw, or the payload nests deeper than JSON.stringify's stack allows.
    throw payloadError('payload', `cannot be serialized as JSON (${describeValue((cause as Error).message, 200)})`, cause);
  }
  if (json === undefined) throw payloadError('payload', 'is not a JSON value');
  // A UTF-8 string takes at most 3 bytes per UTF-16 unit; only measure exactly when that bound is over the limit.
  if (json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxBytes) {
      throw new KairosError('PAYLOAD_TOO_LARGE', `payload: ${bytes} bytes as JSON, over the limit of ${maxBytes} bytes (config payloadMaxBytes)`, {
        details: { field: 'payload', bytes, limit: maxBytes },
      });
    }
  }
  return json;
}

/**
 * True when JSON.stringify keeps `value` exactly. False means "look closer", not "invalid": objects with a toJSON
 * other than Date's and payloads nested deeper than FAST_CHECK_DEPTH also give false.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null || value instanceof Date) return true;
      if (depth === FAST_CHECK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') return false;
      // for…in also visits inherited enumerable keys, which JSON skips: at worst a false alarm for the exact walk.
      for (const key in record) if (!isPlainJson(record[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** An object or array the exact walk is inside, with the next key to visit. */
interface OpenContainer {
  value: Record<string, unknown>;
  path: string;
  /** Own enumerable keys of an object; undefined for an array. */
  keys: readonly string[] | undefined;
  length: number;
  next: number;
}

/**
 * Walks `payload` as JSON.stringify does (toJSON first, own enumerable keys) and throws at the first value it would
 * drop, change or refuse. Iterative, so a deep payload cannot overflow the stack here.
 */
function throwIfUnserializable(payload: unknown): void {
  const open: OpenContainer[] = [];
  const inside = new Set<unknown>();
  visit(payload, '', 'payload', open, inside);
  while (open.length > 0) {
    const top = open[open.length - 1]!;
    if (top.next === top.length) {
      open.pop();
      inside.delete(top.value);
      continue;
    }
    const index = top.next++;
    if (top.keys === undefined) {
      visit(top.value[index], String(index), `${top.path}[${index}]`, open, inside);
    } else {
      const key = top.keys[index]!;
      visit(top.value[key], key, `${top.path}${IDENTIFIER.test(key) ? `.${key}` : `[${describeValue(key)}]`}`, open, inside);
    }
  }
}

function visit(value: unknown, key: string, path: string, open: OpenContainer[], inside: Set<unknown>): void {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    try {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    } catch (cause) {
      throw payloadError(path, `its toJSON() threw (${describeValue((cause as Error).message, 200)})`, cause);
    }
  }
  const problem = unserializable(value, open.length === 0);
  if (problem !== undefined) throw payloadError(path, problem);
  if (typeof value !== 'object' || value === null) return;
  if (inside.has(value)) {
    const target = open.find((container) => container.value === value)!;
    throw payloadError(path, `refers back to ${target.path}, a cycle JSON cannot carry`);
  }
  const record = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? undefined : Object.keys(record);
  open.push({ value: record, path, keys, length: keys === undefined ? (value as unknown[]).length : keys.length, next: 0 });
  inside.add(value);
}

/** Why JSON.stringify would drop, change or refuse a non-container value; undefined when it keeps it. */
function unserializable(value: unknown, root: boolean): string | undefined {
  const fix = root ? '; pass an object, array, string, number, boolean or null' : '';
  switch (typeof value) {
    case 'undefined':
      return root ? `is undefined${fix}` : 'is undefined, which JSON drops; leave the property out or use null';
    case 'function':
      return `is a function, which JSON cannot carry${fix}`;
    case 'symbol':
      return `is a symbol, which JSON cannot carry${fix}`;
    case 'bigint':
      return `is a BigInt (${describeValue(value)}), which JSON cannot carry; pass it as a string or number`;
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}, which JSON turns into null`;
    default:
      return undefined;
  }
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
    if (deadline < runAt) throw optionError('deadline', `is before runAt (${new Date(runAt).toISOString()}); the job could never start`);
  }
  return { queue, payload: json, runAt, key, dedupe, priority, maxAttempts, backoff, timeoutMs, deadline, tags: parseTags(options.tags) };
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
