// Property: near every offset change of 2000–2100 in DST zones, next(t) for any t equals a brute-force oracle that
// walks instants second by second and applies the DST policy directly (first pass of a fold; a gap fires at its end).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../src/core/schedule/civil-date.js';
import { compileRule } from '../../../src/core/schedule/index.js';
import { timeZoneOffsets } from '../../../src/core/schedule/tz-offsets.js';
import type { OffsetTransition } from '../../../src/core/schedule/tz-offsets.js';

const ZONES = ['America/New_York', 'Europe/Dublin', 'Australia/Lord_Howe', 'America/Santiago', 'Africa/Casablanca', 'Pacific/Chatham',
  'America/St_Johns', 'Antarctica/Troll', 'America/Havana', 'Asia/Tehran'];

/** Rules whose days are all `*`, with the same rule as a predicate on the wall second of the day. */
const RULES: [string, (secondOfDay: number) => boolean][] = [
  ['*/15 * * * *', (s) => s % 900 === 0],
  ['0 * * * *', (s) => s % 3600 === 0],
  ['30 1 * * *', (s) => s === 5400],
  ['30 2 * * *', (s) => s === 9000],
  ['45 0,23 * * *', (s) => s === 2700 || s === 85_500],
  ['*/20 * * * * *', (s) => s % 20 === 0],
];

const transitions = new Map<string, OffsetTransition[]>(
  ZONES.map((zone) => [zone, timeZoneOffsets(zone).transitionsBetween(Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1))]),
);

/** The DST policy applied instant by instant: the first occurrence strictly after `after`. */
function oracleNext(zone: string, matches: (secondOfDay: number) => boolean, after: number): number {
  const offsets = timeZoneOffsets(zone);
  const wallSecond = (wall: number) => ((wall % DAY_MS) + DAY_MS) % DAY_MS / 1000;
  for (let u = Math.floor(after / 1000) * 1000 + 1000; ; u += 1000) {
    const before = offsets.offsetAt(u - 1000);
    const offset = offsets.offsetAt(u);
    if (offset > before) {
      // u starts a gap: wall times [u + before, u + offset) do not exist and fire now.
      for (let wall = u + before; wall < u + offset; wall += 1000) if (matches(wallSecond(wall))) return u;
    }
    const wall = u + offset;
    // Second pass of a fold: the same wall time already occurred under a larger offset within the last day.
    const earlierOffset = offsets.offsetAt(u - DAY_MS);
    const secondPass = earlierOffset > offset && offsets.offsetAt(wall - earlierOffset) === earlierOffset && wall - earlierOffset < u;
    if (!secondPass && matches(wallSecond(wall))) return u;
  }
}

describe('DST policy against a brute-force oracle near every offset change', () => {
  it('next(t) for t within three hours of a transition', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.nat(), fc.integer({ min: -3 * 3600, max: 3 * 3600 }), fc.constantFrom(...RULES),
        (zone, pick, shiftSeconds, [cron, matches]) => {
          const list = transitions.get(zone) ?? [];
          const transition = list[pick % list.length];
          if (transition === undefined) return;
          const t = transition.atMs + shiftSeconds * 1000 + (pick % 1000);
          expect(compileRule({ cron, tz: zone }).next(t)).toBe(oracleNext(zone, matches, t));
        }),
      { numRuns: 600 },
    );
  });
});
