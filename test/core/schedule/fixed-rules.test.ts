// Interval and one-off rules: absolute-time arithmetic, anchors as phase, strict "after", domain limits.
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/core/schedule/index.js';

describe('everyMs', () => {
  it('fires at anchor + k·everyMs, strictly after the given instant', () => {
    const rule = compileRule({ everyMs: 900_000, anchor: '2026-01-01T00:05:00Z' });
    const at = (text: string) => Date.parse(text);
    expect(rule.next(at('2026-01-01T00:00:00Z'))).toBe(at('2026-01-01T00:05:00Z'));
    expect(rule.next(at('2026-01-01T00:05:00Z'))).toBe(at('2026-01-01T00:20:00Z'));
    expect(rule.next(at('2026-01-01T00:04:59.999Z'))).toBe(at('2026-01-01T00:05:00Z'));
    // The anchor is a phase: the series runs before it too.
    expect(rule.next(at('2025-12-31T23:00:00Z'))).toBe(at('2025-12-31T23:05:00Z'));
  });

  it('defaults the anchor to the epoch and accepts Date and epoch-ms anchors', () => {
    expect(compileRule({ everyMs: 60_000 }).next(90_000)).toBe(120_000);
    expect(compileRule({ everyMs: 60_000, anchor: new Date(1_000) }).next(0)).toBe(1_000);
    expect(compileRule({ everyMs: 60_000, anchor: 30_000 }).nextN(0, 3)).toEqual([30_000, 90_000, 150_000]);
    expect(compileRule({ everyMs: 1_000 }).next(0.5)).toBe(1_000);
  });

  it('stops at the end of year 9999', () => {
    expect(compileRule({ everyMs: 1_000 }).next(253_402_300_799_000)).toBeNull();
  });
});

describe('at', () => {
  it('fires once', () => {
    const rule = compileRule({ at: '2026-03-08T09:00:00.250+09:00' });
    const at = Date.parse('2026-03-08T00:00:00.250Z');
    expect(rule.next(at - 1)).toBe(at);
    expect(rule.next(at)).toBeNull();
    expect(rule.nextN(0, 5)).toEqual([at]);
    expect(compileRule({ at: new Date(at) }).next(0)).toBe(at);
    expect(compileRule({ at }).next(0)).toBe(at);
  });
});

describe('nextN', () => {
  it('returns nothing for count 0 and stops when the rule ends', () => {
    expect(compileRule({ cron: '0 9 * * *' }).nextN(0, 0)).toEqual([]);
    expect(compileRule({ cron: '0 9 * * *' }).nextN(253_402_214_400_000, 5)).toEqual([253_402_246_800_000]);
  });
});
