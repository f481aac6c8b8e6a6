/**
 * Loads the golden fixtures written by scripts/gen-schedule-fixtures.py (Python zoneinfo, an independent
 * implementation of the same rules) and recomputes each sequence with Kairos for comparison.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { compileRule } from '../../../src/core/schedule/index.js';

/** One (zone, rule) case of the fixture, deltas decoded. */
export interface GoldenCase {
  readonly zone: string;
  readonly rule: string;
  readonly count: number;
  readonly sha256: string;
  /** Occurrences within `windowMs` of any offset transition of the zone. */
  readonly windowed: number[];
  /** Every occurrence, for the small rules only. */
  readonly all?: number[];
}

/** The fixture file, parsed. */
export interface GoldenFixture {
  readonly header: { python: string; tzdata: string; tzdataSource: string; rangeUtcMs: [number, number]; windowMs: number };
  /** Offset transitions per zone as [atMs, offsetBeforeSeconds, offsetAfterSeconds]. */
  readonly zones: Record<string, { transitions: [number, number, number][] }>;
  readonly rules: { id: string; rule: Record<string, unknown>; full: boolean }[];
  readonly cases: GoldenCase[];
}

function deltaDecode(deltas: number[]): number[] {
  const out: number[] = [];
  let value = 0;
  deltas.forEach((delta, index) => {
    value = index === 0 ? delta : value + delta;
    out.push(value);
  });
  return out;
}

let cached: GoldenFixture | undefined;

/** The committed fixture (test/fixtures/schedule/golden.json.gz). */
export function loadGolden(): GoldenFixture {
  if (cached !== undefined) return cached;
  const url = new URL('../../fixtures/schedule/golden.json.gz', import.meta.url);
  const raw = JSON.parse(gunzipSync(readFileSync(url)).toString('utf8')) as GoldenFixture & {
    cases: (Omit<GoldenCase, 'windowed' | 'all'> & { windowed: number[]; all?: number[] })[];
  };
  cached = {
    ...raw,
    cases: raw.cases.map((c) => ({ ...c, windowed: deltaDecode(c.windowed), all: c.all === undefined ? undefined : deltaDecode(c.all) })),
  };
  return cached;
}

/** What Kairos computes for one case: the full sequence over the fixture's UTC range, by repeated next(). */
export interface KairosSequence {
  readonly count: number;
  readonly sha256: string;
  readonly windowed: number[];
  readonly all: number[];
}

/** Recomputes a case with compileRule(...).next(), walking the whole range. */
export function computeSequence(fixture: GoldenFixture, zone: string, ruleId: string, keepAll: boolean): KairosSequence {
  const spec = fixture.rules.find((r) => r.id === ruleId);
  if (spec === undefined) throw new Error(`unknown rule ${ruleId}`);
  const compiled = compileRule({ ...spec.rule, tz: zone });
  const [start, end] = fixture.header.rangeUtcMs;
  const windows = (fixture.zones[zone]?.transitions ?? []).map(([at]) => [at - fixture.header.windowMs, at + fixture.header.windowMs] as const);
  const hash = createHash('sha256');
  const all: number[] = [];
  const windowed: number[] = [];
  let count = 0;
  let chunk: string[] = [];
  const flush = () => {
    hash.update((count > chunk.length ? '\n' : '') + chunk.join('\n'));
    chunk = [];
  };
  for (let t = compiled.next(start - 1); t !== null && t < end; t = compiled.next(t)) {
    count++;
    chunk.push(String(t));
    if (chunk.length === 10_000) flush();
    if (keepAll) all.push(t);
    if (windows.some(([lo, hi]) => t >= lo && t <= hi)) windowed.push(t);
  }
  if (chunk.length > 0) flush();
  return { count, sha256: hash.digest('hex'), windowed, all };
}

/** A readable account of the first difference between two sequences, or undefined when they are equal. */
export function firstDifference(expected: readonly number[], actual: readonly number[]): string | undefined {
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) {
    if (expected[i] !== actual[i]) {
      const show = (v: number | undefined) => (v === undefined ? 'none' : new Date(v).toISOString());
      return `index ${i}: expected ${show(expected[i])}, got ${show(actual[i])} (${expected.length} expected, ${actual.length} got)`;
    }
  }
  return undefined;
}

/** Declares one vitest case per (zone, rule) of `ruleIds`: count, digest, windows and (small rules) every value. */
export function checkGoldenCases(ruleIds: readonly string[]): void {
  const fixture = loadGolden();
  const cases = fixture.cases.filter((c) => ruleIds.includes(c.rule));
  it.each(cases.map((c) => [c.zone, c.rule, c] as const))('%s, %s: same occurrences as the Python reference', (_zone, _rule, expected) => {
    const actual = computeSequence(fixture, expected.zone, expected.rule, expected.all !== undefined);
    expect(firstDifference(expected.windowed, actual.windowed), 'occurrences within a day of an offset change').toBeUndefined();
    if (expected.all !== undefined) expect(firstDifference(expected.all, actual.all), 'full sequence').toBeUndefined();
    expect(actual.count).toBe(expected.count);
    expect(actual.sha256).toBe(expected.sha256);
  });
}
