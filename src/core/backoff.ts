/**
 * Retry delays: exponential with full jitter (capped), fixed, or a custom policy registered by name.
 * Pure functions of (attempt, random): the engine passes its own random source so tests can pin it.
 */
import { describeValue, KairosError } from './errors.js';

/** How long to wait before the next attempt, stored with the job as JSON. */
export type BackoffSpec =
  | { type: 'exponential'; baseMs?: number; maxMs?: number; jitter?: 'full' | 'none' }
  | { type: 'fixed'; delayMs: number }
  | { type: 'custom'; name: string };

/** A custom backoff policy: the delay in ms before the next attempt, given the attempt that just failed (1-based). */
export type BackoffFunction = (attempt: number, error: unknown) => number;

/** The names of the registered custom policies: the config's `backoffPolicies` map, or a set of names. */
export interface BackoffPolicyNames {
  has(name: string): boolean;
}

/** The policy used when neither the job nor its handler names one. */
export const DEFAULT_BACKOFF: Readonly<{ type: 'exponential'; baseMs: number; maxMs: number; jitter: 'full' }> = {
  type: 'exponential',
  baseMs: 1_000,
  maxMs: 3_600_000,
  jitter: 'full',
};

const MAX_DELAY_MS = 365 * 24 * 3_600_000;

/**
 * The delay before attempt `attempt + 1`. `random` returns a float in [0, 1).
 * Full jitter (delay uniform in [0, min(max, base·2^(attempt−1))]) spreads a herd of failures instead of
 * retrying them in lockstep.
 */
export function backoffDelayMs(
  spec: BackoffSpec,
  attempt: number,
  error: unknown,
  random: () => number,
  custom: ReadonlyMap<string, BackoffFunction>,
): number {
  switch (spec.type) {
    case 'fixed':
      return spec.delayMs;
    case 'exponential': {
      const base = spec.baseMs ?? DEFAULT_BACKOFF.baseMs;
      const max = spec.maxMs ?? DEFAULT_BACKOFF.maxMs;
      const cap = Math.min(max, base * 2 ** Math.min(attempt - 1, 52));
      return spec.jitter === 'none' ? cap : Math.floor(random() * (cap + 1));
    }
    case 'custom': {
      const fn = custom.get(spec.name);
      if (fn === undefined) {
        throw new KairosError('JOB_OPTION_INVALID', `backoff.name: no custom backoff policy named ${describeValue(spec.name)} is registered`, {
          details: { field: 'backoff.name' },
        });
      }
      const delay = fn(attempt, error);
      if (!Number.isFinite(delay) || delay < 0) {
        throw new KairosError('JOB_OPTION_INVALID', `backoff policy ${describeValue(spec.name)} returned ${describeValue(delay)}; it must return a finite delay ≥ 0 ms`, {
          details: { field: 'backoff.name' },
        });
      }
      return Math.min(Math.floor(delay), MAX_DELAY_MS);
    }
  }
}

/**
 * Validates a backoff spec given by a user; returns a normalized copy or throws naming the field. With `registered`,
 * a custom spec must name one of those policies.
 */
export function parseBackoff(value: unknown, field = 'backoff', registered?: BackoffPolicyNames): BackoffSpec {
  const fail = (what: string, sub?: string): never => {
    const name = sub === undefined ? field : `${field}.${sub}`;
    throw new KairosError('JOB_OPTION_INVALID', `${name}: ${what}`, { details: { field: name } });
  };
  if (typeof value !== 'object' || value === null) fail('must be an object such as { type: "exponential", baseMs: 1000 }');
  const v = value as Record<string, unknown>;
  const known = (keys: string[]): void => {
    for (const k of Object.keys(v)) {
      // A long unknown key is not repeated as the field name; the message shows a capped preview of it.
      if (!keys.includes(k)) fail(`unknown option ${describeValue(k)} (allowed: ${keys.join(', ')})`, k.length <= 64 ? k : undefined);
    }
  };
  const ms = (key: string, min: number): number | undefined => {
    const x = v[key];
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > MAX_DELAY_MS) {
      fail(`must be an integer number of milliseconds from ${min} to ${MAX_DELAY_MS}, got ${describeValue(x)}`, key);
    }
    return x as number;
  };
  switch (v.type) {
    case 'exponential': {
      known(['type', 'baseMs', 'maxMs', 'jitter']);
      const baseMs = ms('baseMs', 1);
      const maxMs = ms('maxMs', 1);
      if (v.jitter !== undefined && v.jitter !== 'full' && v.jitter !== 'none') fail('must be "full" or "none"', 'jitter');
      if (baseMs !== undefined && maxMs !== undefined && maxMs < baseMs) fail(`must be ≥ baseMs (${baseMs})`, 'maxMs');
      const spec: BackoffSpec = { type: 'exponential' };
      if (baseMs !== undefined) spec.baseMs = baseMs;
      if (maxMs !== undefined) spec.maxMs = maxMs;
      if (v.jitter !== undefined) spec.jitter = v.jitter as 'full' | 'none';
      return spec;
    }
    case 'fixed': {
      known(['type', 'delayMs']);
      const delayMs = ms('delayMs', 0);
      if (delayMs === undefined) fail('is required for a fixed backoff', 'delayMs');
      return { type: 'fixed', delayMs: delayMs as number };
    }
    case 'custom': {
      known(['type', 'name']);
      if (typeof v.name !== 'string' || v.name.length === 0) fail(`must name a policy registered with backoffPolicies, got ${describeValue(v.name)}`, 'name');
      const name = v.name as string;
      if (registered !== undefined && !registered.has(name)) {
        fail(`no custom backoff policy named ${describeValue(name)} is registered (config backoffPolicies)`, 'name');
      }
      return { type: 'custom', name };
    }
    default:
      return fail(`type must be "exponential", "fixed" or "custom", got ${describeValue(v.type)}`, 'type');
  }
}
