/** Pure core: backoff math, config validation, the transition table's helpers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseBackoff } from '../../src/core/backoff.js';
import { resolveConfig } from '../../src/core/config.js';
import { canTransition, FINAL_STATES, JOB_STATES, nextState, TRANSITIONS } from '../../src/core/job-state.js';

const none = new Map();

describe('backoff', () => {
  it('full jitter stays in [0, min(max, base·2^(n−1))]', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (attempt, r) => {
      const d = backoffDelayMs({ type: 'exponential', baseMs: 1000, maxMs: 3_600_000 }, attempt, null, () => r, none);
      return d >= 0 && d <= Math.min(3_600_000, 1000 * 2 ** (attempt - 1)) && Number.isInteger(d);
    }));
  });

  it('without jitter doubles up to the cap; fixed is fixed', () => {
    const exp = (n: number) => backoffDelayMs({ type: 'exponential', baseMs: 100, maxMs: 500, jitter: 'none' }, n, null, Math.random, none);
    expect([1, 2, 3, 4, 5].map(exp)).toEqual([100, 200, 400, 500, 500]);
    expect(backoffDelayMs({ type: 'fixed', delayMs: 42 }, 9, null, Math.random, none)).toBe(42);
  });

  it('names the field of a bad spec', () => {
    expect(() => parseBackoff({ type: 'exponential', baseMs: 10, maxMs: 5 })).toThrow('backoff.maxMs');
    expect(() => parseBackoff({ type: 'fixed' })).toThrow('backoff.delayMs');
    expect(() => parseBackoff({ type: 'fixed', delayMs: 1, extra: 1 })).toThrow('backoff.extra');
    expect(() => parseBackoff('fast')).toThrow('backoff');
  });
});

describe('config', () => {
  it('fills defaults', () => {
    const c = resolveConfig({});
    expect(c).toMatchObject({ leaseMs: 30_000, heartbeatMs: 10_000, pollIntervalMs: 1_000, payloadMaxBytes: 262_144, defaultMaxAttempts: 5 });
  });

  it.each([
    [{ leaseMs: 5 }, 'leaseMs'],
    [{ leaseMs: 1000, heartbeatMs: 1000 }, 'heartbeatMs'],
    [{ pollIntervalMs: 'fast' }, 'pollIntervalMs'],
    [{ defaultMaxAttempts: 0 }, 'defaultMaxAttempts'],
    [{ lease: 1000 }, 'lease'],
    [{ backoffPolicies: { x: 5 } }, 'backoffPolicies.x'],
  ])('refuses %j naming %s', (input, field) => {
    expect(() => resolveConfig(input as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { field } }));
  });
});

describe('transition table', () => {
  it('final states move only by replay; every state is reachable', () => {
    for (const s of FINAL_STATES) {
      expect(TRANSITIONS.filter((t) => t.from === s).map((t) => t.event)).toEqual(['replay']);
      expect(nextState(s, 'replay')).toBe('scheduled');
    }
    for (const s of JOB_STATES) if (s !== 'scheduled') expect(TRANSITIONS.some((t) => t.to === s)).toBe(true);
    expect(canTransition('scheduled', 'complete')).toBe(false);
    expect(canTransition('running', 'complete')).toBe(true);
  });
});
