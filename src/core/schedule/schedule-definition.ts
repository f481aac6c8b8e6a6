/**
 * A schedule as a user defines it (rule + what to enqueue + policies) and its validation. Pure: the rule itself is
 * checked by schedule/compileRule; this module checks everything around it and names the field at fault.
 */
import { parseBackoff, type BackoffSpec } from '../backoff.js';
import { describeValue, KairosError } from '../errors.js';
import { assertQueueName, MAX_ATTEMPTS_LIMIT, PRIORITY_MAX, PRIORITY_MIN } from '../job-options.js';
import { serializePayload } from '../payload.js';
import type { ScheduleRule } from './index.js';
import { readInstant } from './instant-input.js';

/** What to do with occurrences that passed while no instance was running (more than misfireGraceMs late). */
export type MisfirePolicy = 'skip' | 'once' | 'all';
/** What to do when an occurrence comes while the previous occurrence's job is still pending or running. */
export type OverlapPolicy = 'allow' | 'skip' | 'buffer-one';

/** Options copied onto every job a schedule produces. */
export interface ScheduleJobOptions {
  priority?: number;
  maxAttempts?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
  tags?: string[];
}

/** A recurring schedule. */
export interface ScheduleDefinition {
  /** Stable id (1–200 characters of A-Z a-z 0-9 _ . : -); part of each occurrence's idempotency key. */
  id: string;
  /** The queue its jobs go to. */
  queue: string;
  rule: ScheduleRule;
  /**
   * Payload template copied into each job. Strings may hold `{{scheduleId}}`, `{{occurrenceAt}}` (ISO 8601 UTC) and
   * `{{fireAt}}`; they are replaced per occurrence.
   */
  payload?: unknown;
  jobOptions?: ScheduleJobOptions;
  /** Default 'once'. */
  misfire?: MisfirePolicy;
  /** With misfire 'all': at most this many catch-up jobs (the latest ones); default 100. */
  catchUpLimit?: number;
  /** An occurrence materialized more than this late counts as missed and follows `misfire`. Default 10 000 ms. */
  misfireGraceMs?: number;
  /** Default 'allow'. */
  overlap?: OverlapPolicy;
  /** Each job's deadline: occurrence fire time + deadlineMs; not started by then → expired. */
  deadlineMs?: number;
  /** Fire at a deterministic offset in [0, spreadMs) after each occurrence (fixed per schedule id). Default 0. */
  spreadMs?: number;
  /** No occurrence before this instant. */
  startAt?: Date | string | number;
  /** No occurrence after this instant. */
  endAt?: Date | string | number;
  /** Stop after this many jobs were produced. */
  maxRuns?: number;
  /** Create the schedule paused. */
  paused?: boolean;
}

/** A validated definition, with JSON fields serialized and instants in epoch ms. */
export interface NormalizedSchedule {
  id: string;
  queue: string;
  rule: ScheduleRule;
  payload: string;
  jobOptions: string | null;
  misfire: MisfirePolicy;
  catchUpLimit: number;
  misfireGraceMs: number;
  overlap: OverlapPolicy;
  deadlineMs: number | null;
  spreadMs: number;
  startAt: number | null;
  endAt: number | null;
  maxRuns: number | null;
  paused: boolean;
}

const KEYS = new Set(['id', 'queue', 'rule', 'payload', 'jobOptions', 'misfire', 'catchUpLimit', 'misfireGraceMs', 'overlap', 'deadlineMs', 'spreadMs', 'startAt', 'endAt', 'maxRuns', 'paused']);
const JOB_OPTION_KEYS = new Set(['priority', 'maxAttempts', 'backoff', 'timeoutMs', 'tags']);
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;
const DAY = 86_400_000;

function fail(field: string, what: string): never {
  throw new KairosError('SCHEDULE_OPTION_INVALID', `${field}: ${what}`, { details: { field } });
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `must be an integer from ${min} to ${max}, got ${describeValue(value)}`);
  return value as number;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeValue(value)}`);
  return value as T;
}

/** The field an unknown key names: the key itself, or its parent when the key is too long to repeat. */
function keyField(key: string, parent: string, prefix = ''): string {
  return key.length <= 64 ? `${prefix}${key}` : parent;
}

/** Validates a definition; the rule is validated separately by compileRule. */
export function normalizeSchedule(input: unknown, payloadMaxBytes: number): NormalizedSchedule {
  if (typeof input !== 'object' || input === null) fail('schedule', 'must be an object');
  const d = input as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.has(k)) fail(keyField(k, 'schedule'), `unknown schedule option ${describeValue(k)} (allowed: ${[...KEYS].join(', ')})`);
  if (typeof d.id !== 'string' || !ID_PATTERN.test(d.id)) fail('id', `must be 1–200 characters of A-Z a-z 0-9 _ . : -, got ${describeValue(d.id)}`);
  try {
    assertQueueName(d.queue);
  } catch {
    fail('queue', `${describeValue(d.queue)} is not a valid queue name`);
  }
  if (typeof d.rule !== 'object' || d.rule === null) fail('rule', 'is required: { cron, tz? }, { everyMs, anchor? } or { at }');
  const startAt = d.startAt === undefined ? null : readInstant(d.startAt, 'startAt', 'SCHEDULE_OPTION_INVALID');
  const endAt = d.endAt === undefined ? null : readInstant(d.endAt, 'endAt', 'SCHEDULE_OPTION_INVALID');
  if (startAt !== null && endAt !== null && endAt < startAt) fail('endAt', 'is before startAt');
  if (d.paused !== undefined && typeof d.paused !== 'boolean') fail('paused', 'must be true or false');
  let payload: string;
  try {
    payload = serializePayload(d.payload === undefined ? null : d.payload, payloadMaxBytes);
  } catch (error) {
    if (error instanceof KairosError) throw new KairosError('SCHEDULE_OPTION_INVALID', error.message, { details: { field: 'payload' }, cause: error });
    throw error;
  }
  return {
    id: d.id as string,
    queue: d.queue as string,
    rule: d.rule as ScheduleRule,
    payload,
    jobOptions: normalizeJobOptions(d.jobOptions),
    misfire: oneOf(d.misfire, 'misfire', ['skip', 'once', 'all'] as const, 'once'),
    catchUpLimit: d.catchUpLimit === undefined ? 100 : int(d.catchUpLimit, 'catchUpLimit', 1, 10_000),
    misfireGraceMs: d.misfireGraceMs === undefined ? 10_000 : int(d.misfireGraceMs, 'misfireGraceMs', 0, 365 * DAY),
    overlap: oneOf(d.overlap, 'overlap', ['allow', 'skip', 'buffer-one'] as const, 'allow'),
    deadlineMs: d.deadlineMs === undefined ? null : int(d.deadlineMs, 'deadlineMs', 0, 365 * DAY),
    spreadMs: d.spreadMs === undefined ? 0 : int(d.spreadMs, 'spreadMs', 0, 7 * DAY),
    startAt,
    endAt,
    maxRuns: d.maxRuns === undefined ? null : int(d.maxRuns, 'maxRuns', 1, Number.MAX_SAFE_INTEGER),
    paused: d.paused === true,
  };
}

function normalizeJobOptions(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) fail('jobOptions', 'must be an object');
  const o = value as Record<string, unknown>;
  const out: ScheduleJobOptions = {};
  for (const k of Object.keys(o)) {
    if (!JOB_OPTION_KEYS.has(k)) fail(keyField(k, 'jobOptions', 'jobOptions.'), `unknown option ${describeValue(k)} (allowed: ${[...JOB_OPTION_KEYS].join(', ')})`);
  }
  if (o.priority !== undefined) out.priority = int(o.priority, 'jobOptions.priority', PRIORITY_MIN, PRIORITY_MAX);
  if (o.maxAttempts !== undefined) out.maxAttempts = int(o.maxAttempts, 'jobOptions.maxAttempts', 1, MAX_ATTEMPTS_LIMIT);
  if (o.timeoutMs !== undefined) out.timeoutMs = int(o.timeoutMs, 'jobOptions.timeoutMs', 1, 7 * DAY);
  if (o.backoff !== undefined) out.backoff = parseBackoff(o.backoff, 'jobOptions.backoff');
  if (o.tags !== undefined) {
    if (!Array.isArray(o.tags) || o.tags.length > 20 || o.tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 64)) {
      fail('jobOptions.tags', 'must be an array of at most 20 strings of 1–64 characters');
    }
    out.tags = o.tags as string[];
  }
  return Object.keys(out).length === 0 ? null : JSON.stringify(out);
}

/** The fixed offset of a schedule inside its spread window: a hash of its id, so every instance agrees. */
export function spreadOffsetMs(id: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % spreadMs;
}

/** Replaces the `{{…}}` tokens of a payload template for one occurrence. */
export function renderPayload(template: string, scheduleId: string, occurrenceAt: number, fireAt: number): string {
  if (!template.includes('{{')) return template;
  const values: Record<string, string> = {
    scheduleId,
    occurrenceAt: new Date(occurrenceAt).toISOString(),
    fireAt: new Date(fireAt).toISOString(),
  };
  // Replace inside JSON string literals only; the values need no JSON escaping (ids and ISO dates).
  return template.replace(/\{\{(scheduleId|occurrenceAt|fireAt)\}\}/g, (_m, name: string) => values[name]!);
}
