/** The public shapes of a job, its attempts and handler signals. */
import type { BackoffSpec } from './backoff.js';
import type { AttemptOutcome, JobState } from './job-state.js';

/** A serialized error as stored with an attempt. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  code?: string;
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

/** Serializes any thrown value for storage, keeping name, message, stack and code. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const info: ErrorInfo = { name: error.name, message: error.message };
    if (error.stack !== undefined) info.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') info.code = code;
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
