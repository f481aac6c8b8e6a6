// Node's ICU time zone data must agree with the tzdata the golden fixtures were generated from; a divergence is
// reported zone by zone (with both versions) instead of surfacing only as a mismatched digest.
import { describe, expect, it } from 'vitest';
import { timeZoneOffsets } from '../../../src/core/schedule/tz-offsets.js';
import { loadGolden } from './golden-fixture.js';

/** Offset in seconds at `ms`, straight from Intl's `longOffset` name (independent of the Kairos offset table). */
function intlOffsetSeconds(ms: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(ms)
    .find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  if (match === null) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('Node ICU tzdata agrees with the fixture tzdata', () => {
  const fixture = loadGolden();
  const versions = `Node ICU tzdata ${process.versions.tz ?? 'unknown'} vs fixture tzdata ${fixture.header.tzdata} `
    + `(Python ${fixture.header.python})`;
  const [start, end] = fixture.header.rangeUtcMs;

  it.each(Object.keys(fixture.zones))('%s: same UTC-offset transitions in the fixture range', (zone) => {
    const expected = fixture.zones[zone]?.transitions ?? [];
    const actual = timeZoneOffsets(zone)
      .transitionsBetween(start, end)
      .map((t) => [t.atMs, t.offsetBeforeMs / 1000, t.offsetAfterMs / 1000]);
    const show = (list: number[][]) => list.map(([at, before, after]) => `${iso(at ?? 0)} ${before}s→${after}s`);
    const onlyIcu = show(actual.filter((t) => !expected.some((e) => e.join() === t.join())));
    const onlyFixture = show(expected.filter((e) => !actual.some((t) => e.join() === t.join())));
    expect({ onlyIcu, onlyFixture }, `${versions} diverge for ${zone}`).toEqual({ onlyIcu: [], onlyFixture: [] });
    // The same transitions read from Intl's own offset names, bypassing the Kairos offset table.
    for (const [at, before, after] of expected) {
      expect(intlOffsetSeconds(at - 1000, zone), `${versions}: ${zone} offset before ${iso(at)}`).toBe(before);
      expect(intlOffsetSeconds(at, zone), `${versions}: ${zone} offset at ${iso(at)}`).toBe(after);
    }
  });
});
