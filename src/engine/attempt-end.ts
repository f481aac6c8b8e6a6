/**
 * How one attempt ended, decided from what its handler did: completed, skipped, snoozed, retried with backoff, or
 * failed for good. The QueueWorker writes the result through the completer and announces it once the write held.
 */
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffFunction, type BackoffSpec } from '../core/backoff.js';
import type { Logger } from '../core/config.js';
import { JobTimeoutError, retryAfterOf, toErrorInfo, UnrecoverableError } from '../core/job.js';
import type { ClaimedJob, FinishItem } from '../driver/driver.js';
import type { KairosEmitter } from './events.js';
import type { SkipSignal, SnoozeSignal } from './job-context.js';
import type { EngineConfig } from './store-clock.js';

/** What to write for an attempt, and the event to emit once the write held. */
export interface AttemptEnd {
  write: Pick<FinishItem, 'state' | 'outcome' | 'countsAttempt' | 'runAt' | 'result' | 'error' | 'note'>;
  announce(events: KairosEmitter): void;
}

/** The end of an attempt whose handler returned: skipped or snoozed if it said so, else completed with its result. */
export function endOfReturn(c: ClaimedJob, signal: SkipSignal | SnoozeSignal | null, value: unknown, now: number, logger: Logger): AttemptEnd {
  const base = { id: c.id, queue: c.queue, attempt: c.attempt };
  if (signal?.kind === 'skip') {
    return {
      write: { state: 'skipped', outcome: 'skipped', countsAttempt: true, note: signal.reason },
      announce: (events) => events.wants('job:skipped') && events.emit('job:skipped', { ...base, reason: signal.reason }),
    };
  }
  if (signal?.kind === 'snooze') {
    const runAt = now + signal.delayMs;
    return {
      write: { state: 'scheduled', outcome: 'snoozed', runAt, countsAttempt: false, note: `snoozed ${signal.delayMs} ms` },
      announce: (events) => events.wants('job:snoozed') && events.emit('job:snoozed', { ...base, runAt: new Date(runAt) }),
    };
  }
  return {
    write: { state: 'completed', outcome: 'completed', countsAttempt: true, result: serializeResult(value, logger) },
    announce: (events) => events.wants('job:completed') && events.emit('job:completed', { ...base, durationMs: now - c.startedAt, result: value }),
  };
}

/**
 * The end of an attempt whose handler threw (or timed out): failed for good when the error is unrecoverable or no
 * attempt is left, else scheduled again after the delay a RetryAfterError asks for, or else the job's backoff.
 */
export function endOfThrow(c: ClaimedJob, error: unknown, now: number, backoff: { config: EngineConfig; handler?: BackoffSpec | BackoffFunction; logger: Logger }): AttemptEnd {
  const base = { id: c.id, queue: c.queue, attempt: c.attempt };
  const info = toErrorInfo(error);
  const errorJson = JSON.stringify(info);
  const timedOut = error instanceof JobTimeoutError;
  // By name too: a handler module may load its own copy of the library, whose class is a different object.
  const unrecoverable = error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
  if (unrecoverable || c.attempt >= c.maxAttempts) {
    return {
      write: { state: 'failed', outcome: unrecoverable ? 'unrecoverable' : timedOut ? 'timeout' : 'failed', countsAttempt: true, error: errorJson },
      announce: (events) => events.wants('job:failed') && events.emit('job:failed', { ...base, error: info }),
    };
  }
  const runAt = now + (retryAfterOf(error) ?? backoffOrDefault(c, error, backoff));
  return {
    write: { state: 'scheduled', outcome: timedOut ? 'timeout' : 'failed', runAt, countsAttempt: true, error: errorJson },
    announce: (events) => events.wants('job:retrying') && events.emit('job:retrying', { ...base, error: info, runAt: new Date(runAt) }),
  };
}

/** The job's backoff delay; the default policy's (logged) when the job's policy fails. */
function backoffOrDefault(c: ClaimedJob, error: unknown, backoff: { config: EngineConfig; handler?: BackoffSpec | BackoffFunction; logger: Logger }): number {
  try {
    return retryDelayMs(c, error, backoff.config, backoff.handler);
  } catch (policyError) {
    backoff.logger.error({ err: policyError, jobId: c.id }, 'backoff policy failed; retrying with the default policy');
    return backoffDelayMs(DEFAULT_BACKOFF, c.attempt, error, backoff.config.random, backoff.config.backoffPolicies);
  }
}

/** The delay before the next attempt: the job's backoff, else the handler's, else the default. Throws on a bad policy. */
function retryDelayMs(c: ClaimedJob, error: unknown, config: EngineConfig, handler: BackoffSpec | BackoffFunction | undefined): number {
  const { random, backoffPolicies } = config;
  if (c.backoff !== null) return backoffDelayMs(JSON.parse(c.backoff) as BackoffSpec, c.attempt, error, random, backoffPolicies);
  if (typeof handler === 'function') {
    const delay = handler(c.attempt, error);
    if (!Number.isFinite(delay) || delay < 0) throw new Error(`handler backoff returned ${String(delay)}`);
    return Math.floor(delay);
  }
  return backoffDelayMs(handler ?? DEFAULT_BACKOFF, c.attempt, error, random, backoffPolicies);
}

/** A handler's result as stored JSON; null (with a warning) when it cannot be serialized. */
export function serializeResult(value: unknown, logger: Logger): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch (error) {
    logger.warn({ err: error }, 'handler result is not JSON-serializable; stored as null');
    return null;
  }
}
