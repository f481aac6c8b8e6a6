/** The public shapes of a job, its attempts and handler signals. */
import type { BackoffSpec } from './backoff.js';
import type { AttemptOutcome, JobState } from './job-state.js';

/** A serialized error as stored with an attempt. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  /**
   * The error's `details` when it carries a non-empty JSON object there (KairosError, the delivery targets' errors):
   * for a webhook, the status, selected headers and body excerpt of the attempt.
   */
  details?: Record<string, unknown>;
}

/** A stored job. */
export interface Job<P = unknown, R = unknown> {
  id: number;
  queue: string;
  state: JobState;
  payload: P;
  priority: number;
  runAt: Date;
  key: string | null;
  /** Attempts started so far (the running one included). */
  attempt: number;
  maxAttempts: number;
  backoff: BackoffSpec | null;
  timeoutMs: number | null;
  deadline: Date | null;
  tags: string[];
  /** The worker holding the job while it runs. */
  workerId: string | null;
  leaseUntil: Date | null;
  createdAt: Date;
  /** Start of the latest attempt. */
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The handler's return value (JSON) of a completed job; null otherwise. */
  result: R | null;
  lastError: ErrorInfo | null;
  /** The schedule that produced the job and the occurrence's nominal instant; null for one-off jobs. */
  scheduleId: string | null;
  occurrenceAt: Date | null;
  /** The jobs this one depends on (empty for none), and what one that does not complete does to it. */
  dependsOn: number[];
  onDependencyFailure: 'cancel' | 'run' | null;
  /**
   * Dependencies that have not ended yet. Above 0 the job is held: scheduled, but not claimed until they end
   * (its runAt is the one asked for; it runs at that time or when released, whichever is later).
   */
  waitingFor: number;
  /** The batch the job belongs to (its members and its completion job carry it). */
  batchId: number | null;
  /** The job this one is the fallback of (its queue's fallback, after it failed finally). */
  fallbackOf: number | null;
  /** This job's fallback job, once it failed finally on a queue that names a fallback. */
  fallbackJobId: number | null;
  /** Flow control: the limiter and lane the job passes through, and its partition key (docs/flow-control.md). */
  limiter: string | null;
  lane: string | null;
  partitionKey: string | null;
}

/** One execution, or one run that did not count (snoozed, handed back). */
export interface Attempt {
  attempt: number;
  workerId: string;
  startedAt: Date;
  /** Null while the attempt runs. */
  finishedAt: Date | null;
  durationMs: number | null;
  outcome: AttemptOutcome | 'running';
  error: ErrorInfo | null;
  note: string | null;
  /** The latest ctx.progress() value of this attempt; null when it reported none. */
  progress: unknown;
  /** The lines ctx.log() wrote during this attempt, oldest first. */
  logs: LogLine[];
}

/** One ctx.log() line. */
export interface LogLine {
  at: Date;
  line: string;
}

/** A job with its whole attempt history, oldest first. */
export interface JobDetail<P = unknown, R = unknown> extends Job<P, R> {
  /** The latest progress the newest reporting attempt stored (a number or an object); null when none did. */
  progress: unknown;
  attempts: Attempt[];
}

/** What enqueue returns. `outcome` tells whether the job is new or an existing one with the same key. */
export interface EnqueuedJob {
  id: number;
  queue: string;
  state: JobState;
  runAt: Date;
  key: string | null;
  outcome: 'created' | 'kept' | 'replaced';
}

/** Thrown by a handler to fail the job at once, without the retries left. */
export class UnrecoverableError extends Error {
  override name = 'UnrecoverableError';
}

/** The longest wait a RetryAfterError may ask for; a longer one is cut to it. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Thrown by a handler to retry after an explicit delay instead of the job's backoff (a receiver's `Retry-After`).
 * The attempt counts like any failure: with no attempt left the job fails. The delay is cut to
 * {@link MAX_RETRY_AFTER_MS}; `details` (JSON) is stored with the attempt's error.
 */
export class RetryAfterError extends Error {
  override name = 'RetryAfterError';
  readonly delayMs: number;
  readonly details: Record<string, unknown>;

  constructor(message: string, delayMs: number, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.delayMs = Number.isFinite(delayMs) ? Math.min(Math.max(0, Math.floor(delayMs)), MAX_RETRY_AFTER_MS) : 0;
    this.details = options.details ?? {};
  }
}

/** The delay a thrown value asks for (a RetryAfterError, also one from another copy of the library), or null. */
export function retryAfterOf(error: unknown): number | null {
  if (error instanceof RetryAfterError) return error.delayMs;
  if (!(error instanceof Error) || error.name !== 'RetryAfterError') return null;
  const delay = (error as { delayMs?: unknown }).delayMs;
  return typeof delay === 'number' && Number.isFinite(delay) ? Math.min(Math.max(0, Math.floor(delay)), MAX_RETRY_AFTER_MS) : null;
}

/** Serializes any thrown value for storage, keeping name, message, stack, code and a JSON `details` object. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const info: ErrorInfo = { name: error.name, message: error.message };
    if (error.stack !== undefined) info.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') info.code = code;
    const details = jsonDetails((error as { details?: unknown }).details);
    if (details !== undefined) info.details = details;
    return info;
  }
  let message: string;
  try {
    message = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { name: 'NonError', message };
}

/** A plain, non-empty object that survives JSON as it is; anything else is left out of the stored error. */
function jsonDetails(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The AbortSignal reason when an attempt's timeoutMs passes. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** The AbortSignal reason when a running job is cancelled, or this worker lost its lease. */
export class JobAbortedError extends Error {
  override name = 'JobAbortedError';
  constructor(
    message: string,
    readonly reason: 'cancelled' | 'lease-lost' | 'shutdown',
  ) {
    super(message);
  }
}
