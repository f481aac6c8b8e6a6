/** The pure limiter math: slot arithmetic of reserved lanes and lending, the sliding-window rate, validation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { LimiterGate, toLimiterSpec, type LimiterSpec, type RateLog } from '../../src/core/limiter.js';

const gateway = (lend: boolean): LimiterSpec => toLimiterSpec({ id: 'gw', concurrency: 3, lanes: { signup: { reserved: 1 } }, lend });
const gate = (spec: LimiterSpec, running: Record<string, number>, waiting: string[] = [], log: RateLog = [], now = 0) =>
  new LimiterGate(spec, new Map(Object.entries(running)), new Set(waiting), log, now);

describe('limiter slot arithmetic', () => {
  it('keeps a reserved slot from other lanes without lend, and lets its own lane use every slot', () => {
    expect(gate(gateway(false), {}).slotsFor('renewal')).toBe(2);
    expect(gate(gateway(false), { renewal: 2 }).slotsFor('renewal')).toBe(0);
    expect(gate(gateway(false), { renewal: 2 }).slotsFor('signup')).toBe(1);
    expect(gate(gateway(false), {}).slotsFor('signup')).toBe(3);
    expect(gate(gateway(false), { signup: 1 }).slotsFor('renewal')).toBe(2);
  });

  it('lends an idle reserved slot only while its lane has no due work', () => {
    expect(gate(gateway(true), {}).slotsFor('renewal')).toBe(3);
    expect(gate(gateway(true), { renewal: 2 }, ['signup']).slotsFor('renewal')).toBe(0);
    expect(gate(gateway(true), { renewal: 2 }, ['signup']).slotsFor('signup')).toBe(1);
  });

  it('never admits past the concurrency, and never into a kept slot, whatever the order of admissions', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 3 }), fc.array(fc.constantFrom('a', 'b', ''), { maxLength: 30 }), fc.boolean(),
      (lend, concurrency, reservedA, lanes, aWaiting) => {
        const reserved = Math.min(reservedA, concurrency);
        const spec = toLimiterSpec({ id: 'x', concurrency, lanes: { a: { reserved } }, lend });
        const g = gate(spec, {}, aWaiting ? ['a'] : []);
        const admitted: Record<string, number> = { a: 0, b: 0, '': 0 };
        for (const lane of lanes) if (g.admit(lane)) admitted[lane]!++;
        const total = admitted.a! + admitted.b! + admitted['']!;
        expect(total).toBeLessThanOrEqual(concurrency);
        // Other lanes leave lane a's unused reserved slots alone (unless lent while a has no due work).
        if (!lend || aWaiting) expect(admitted.b! + admitted['']!).toBeLessThanOrEqual(concurrency - reserved);
      },
    ));
  });
});

describe('sliding-window rate', () => {
  it('never lets more than the limit start in any window, claims at random times and sizes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1000 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 60 }),
      (limit, perMs, steps) => {
        const spec = toLimiterSpec({ id: 'r', rate: { limit, perMs } });
        let log: RateLog = [];
        let now = 0;
        const starts: number[] = [];
        for (const [dt, want] of steps) {
          now += dt;
          const g = gate(spec, {}, [], log, now);
          let n = 0;
          while (n < want && g.admit('')) n++;
          for (let i = 0; i < n; i++) starts.push(now);
          log = g.nextLog();
          if (n < want) {
            // Held back: retryAt is when one more fits, and not before.
            const at = g.retryAt()!;
            expect(at).toBeGreaterThan(now);
            expect(starts.filter((s) => s > at - perMs && s <= at).length).toBeLessThan(limit);
          }
        }
        for (let i = limit; i < starts.length; i++) expect(starts[i]! - starts[i - limit]!).toBeGreaterThanOrEqual(perMs);
      },
    ));
  });

  it('counts entries recorded out of order, so a late claim cannot exceed the window either', () => {
    const spec = toLimiterSpec({ id: 'r', rate: { limit: 3, perMs: 100 } });
    const later = gate(spec, {}, [], [], 105);
    expect([later.admit(''), later.admit('')]).toEqual([true, true]);
    // A claim that read its clock at 100 but ran after the one at 105.
    const earlier = gate(spec, {}, [], later.nextLog(), 100);
    expect([earlier.admit(''), earlier.admit('')]).toEqual([true, false]);
    expect(earlier.nextLog()).toEqual([[100, 1], [105, 2]]);
  });
});

describe('limiter definitions', () => {
  it.each([
    [{ id: 'g', concurrency: 3, lanes: { s: { reserved: 4 } } }, 'lanes'],
    [{ id: 'g', lanes: { s: { reserved: 1 } }, rate: { limit: 1, perMs: 1 } }, 'lanes'],
    [{ id: 'g', concurrency: 3, lanes: { s: { reserved: 1, max: 2 } } }, 'lanes.s'],
    [{ id: 'g', rate: { limit: 5 } }, 'rate.perMs'],
    [{ id: '', concurrency: 1 }, 'id'],
  ])('refuses %o naming %s', (def, field) => {
    let error: unknown;
    try {
      toLimiterSpec(def as never);
    } catch (e) {
      error = e;
    }
    expect(isKairosError(error, 'LIMITER_OPTION_INVALID')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe(field);
  });
});
