/**
 * The one configuration type of an instance and its validation. Each field documents meaning, unit and default;
 * resolveConfig() names the field and the bound it broke.
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { KairosError } from './errors.js';
import type { BackoffFunction } from './backoff.js';
import { MAX_ATTEMPTS_LIMIT } from './job-options.js';

/** The logging surface Kairos uses; pino loggers fit it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** Engine settings. Every field is optional; defaults are in {@link DEFAULTS}. */
export interface KairosConfig {
  /** This instance's id in leases and attempt records. Default: `<hostname>-<pid>-<random>`. */
  workerId?: string;
  /** How long a claim holds a job without a heartbeat, ms. Default 30 000. A dead worker's jobs come back after this. */
  leaseMs?: number;
  /** How often running jobs' leases are extended, ms. Default leaseMs / 3. */
  heartbeatMs?: number;
  /** The longest a worker sleeps without checking the store, ms. Bounds lateness for work enqueued by other processes or inside an open transaction. Default 1 000. */
  pollIntervalMs?: number;
  /** Most jobs one claim takes, per queue. Default 1 000. */
  claimBatchSize?: number;
  /** Finished attempts written in one transaction at most. Default 1 000. */
  completionBatchSize?: number;
  /** The longest the lease rescuer waits between looks for expired leases, ms. Default 5 000 (it also wakes at the next lease end). */
  rescueIntervalMs?: number;
  /** Completed, cancelled, expired and skipped jobs are deleted this long after they finish, ms. Default 7 days. */
  retentionMs?: number;
  /** Failed jobs are deleted this long after they fail, ms. Default 30 days. */
  failedRetentionMs?: number;
  /** How often the pruner runs, ms. Default 60 000. */
  pruneIntervalMs?: number;
  /** Jobs deleted per prune transaction. Default 1 000. */
  pruneBatchSize?: number;
  /** Largest payload accepted, bytes of UTF-8 JSON. Default 262 144 (256 KiB). */
  payloadMaxBytes?: number;
  /** Attempts of a job that sets no maxAttempts. Default 5; at most 1 000. */
  defaultMaxAttempts?: number;
  /** Default concurrency of a handler that sets none. Default 100. */
  defaultConcurrency?: number;
  /** The bound stop() waits for running jobs before handing them back, ms. Default 30 000. */
  shutdownTimeoutMs?: number;
  /** Named custom backoff policies, used by `backoff: { type: 'custom', name }`. */
  backoffPolicies?: Record<string, BackoffFunction>;
  /** Time source. Default: the system clock. Tests pass a fake clock. */
  clock?: Clock;
  /** Logger (pino-compatible). Default: pino at level KAIROS_LOG_LEVEL or 'warn', to stderr. */
  logger?: Logger;
  /** Random source for jitter, [0, 1). Default Math.random. */
  random?: () => number;
}

export interface ResolvedConfig {
  workerId: string | undefined;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  claimBatchSize: number;
  completionBatchSize: number;
  rescueIntervalMs: number;
  retentionMs: number;
  failedRetentionMs: number;
  pruneIntervalMs: number;
  pruneBatchSize: number;
  payloadMaxBytes: number;
  defaultMaxAttempts: number;
  defaultConcurrency: number;
  shutdownTimeoutMs: number;
  backoffPolicies: ReadonlyMap<string, BackoffFunction>;
  clock: Clock;
  logger: Logger | undefined;
  random: () => number;
}

const DAY = 24 * 3_600_000;

export const DEFAULTS = {
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  claimBatchSize: 1_000,
  completionBatchSize: 1_000,
  rescueIntervalMs: 5_000,
  retentionMs: 7 * DAY,
  failedRetentionMs: 30 * DAY,
  pruneIntervalMs: 60_000,
  pruneBatchSize: 1_000,
  payloadMaxBytes: 262_144,
  defaultMaxAttempts: 5,
  defaultConcurrency: 100,
  shutdownTimeoutMs: 30_000,
} as const;

const NUMERIC: Record<keyof typeof DEFAULTS | 'heartbeatMs', [min: number, max: number]> = {
  leaseMs: [100, 24 * 3_600_000],
  heartbeatMs: [10, 24 * 3_600_000],
  pollIntervalMs: [10, 3_600_000],
  claimBatchSize: [1, 10_000],
  completionBatchSize: [1, 10_000],
  rescueIntervalMs: [10, 3_600_000],
  retentionMs: [0, 3650 * DAY],
  failedRetentionMs: [0, 3650 * DAY],
  pruneIntervalMs: [100, DAY],
  pruneBatchSize: [1, 100_000],
  payloadMaxBytes: [2, 64 * 1024 * 1024],
  defaultMaxAttempts: [1, MAX_ATTEMPTS_LIMIT],
  defaultConcurrency: [1, 10_000],
  shutdownTimeoutMs: [0, DAY],
};

const KNOWN = new Set([...Object.keys(NUMERIC), 'workerId', 'backoffPolicies', 'clock', 'logger', 'random']);

export function configError(field: string, what: string): KairosError {
  return new KairosError('CONFIG_INVALID', `${field}: ${what}`, { details: { field } });
}

/** Validates `input` (unknown fields included) and fills defaults. */
export function resolveConfig(input: KairosConfig = {}, extraKnown: readonly string[] = []): ResolvedConfig {
  if (typeof input !== 'object' || input === null) throw configError('config', 'must be an object');
  for (const k of Object.keys(input)) {
    if (!KNOWN.has(k) && !extraKnown.includes(k)) throw configError(k, 'unknown configuration field');
  }
  const num = (field: keyof typeof NUMERIC, fallback: number): number => {
    const v = (input as Record<string, unknown>)[field];
    if (v === undefined) return fallback;
    const [min, max] = NUMERIC[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw configError(field, `must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
    return v;
  };
  const leaseMs = num('leaseMs', DEFAULTS.leaseMs);
  const heartbeatMs = num('heartbeatMs', Math.max(10, Math.floor(leaseMs / 3)));
  if (heartbeatMs >= leaseMs) throw configError('heartbeatMs', `must be below leaseMs (${leaseMs}) or leases lapse between heartbeats`);
  if (input.workerId !== undefined && (typeof input.workerId !== 'string' || input.workerId.length === 0 || input.workerId.length > 200)) {
    throw configError('workerId', 'must be a string of 1–200 characters');
  }
  const policies = new Map<string, BackoffFunction>();
  for (const [name, fn] of Object.entries(input.backoffPolicies ?? {})) {
    if (typeof fn !== 'function') throw configError(`backoffPolicies.${name}`, 'must be a function (attempt, error) => delayMs');
    policies.set(name, fn);
  }
  if (input.clock !== undefined && (typeof input.clock.now !== 'function' || typeof input.clock.setTimer !== 'function')) {
    throw configError('clock', 'must have now() and setTimer()');
  }
  if (input.random !== undefined && typeof input.random !== 'function') throw configError('random', 'must be a function returning [0, 1)');
  return {
    workerId: input.workerId,
    leaseMs,
    heartbeatMs,
    pollIntervalMs: num('pollIntervalMs', DEFAULTS.pollIntervalMs),
    claimBatchSize: num('claimBatchSize', DEFAULTS.claimBatchSize),
    completionBatchSize: num('completionBatchSize', DEFAULTS.completionBatchSize),
    rescueIntervalMs: num('rescueIntervalMs', DEFAULTS.rescueIntervalMs),
    retentionMs: num('retentionMs', DEFAULTS.retentionMs),
    failedRetentionMs: num('failedRetentionMs', DEFAULTS.failedRetentionMs),
    pruneIntervalMs: num('pruneIntervalMs', DEFAULTS.pruneIntervalMs),
    pruneBatchSize: num('pruneBatchSize', DEFAULTS.pruneBatchSize),
    payloadMaxBytes: num('payloadMaxBytes', DEFAULTS.payloadMaxBytes),
    defaultMaxAttempts: num('defaultMaxAttempts', DEFAULTS.defaultMaxAttempts),
    defaultConcurrency: num('defaultConcurrency', DEFAULTS.defaultConcurrency),
    shutdownTimeoutMs: num('shutdownTimeoutMs', DEFAULTS.shutdownTimeoutMs),
    backoffPolicies: policies,
    clock: input.clock ?? systemClock,
    logger: input.logger,
    random: input.random ?? Math.random,
  };
}
