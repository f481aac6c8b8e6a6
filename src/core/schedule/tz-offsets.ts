/**
 * UTC offsets of an IANA time zone from Node's Intl (ICU) data, cached as a table of transitions, and the mapping of a
 * local wall time to an instant under the Kairos DST policy (gap → first instant after it, fold → first occurrence).
 */
import { KairosError } from '../errors.js';
import { DAY_MS, civilFromDays, daysFromCivil, isoWeekday } from './civil-date.js';

/** Earliest and latest instants the schedule code works with: years 0001 to 9999. */
export const MIN_SUPPORTED_MS = daysFromCivil(1, 1, 1) * DAY_MS;
export const MAX_SUPPORTED_MS = daysFromCivil(10_000, 1, 1) * DAY_MS - 1;

/** One change of a zone's UTC offset. Offsets are in ms, so that wall time = instant + offset. */
export interface OffsetTransition {
  readonly atMs: number;
  readonly offsetBeforeMs: number;
  readonly offsetAfterMs: number;
}

/** Offsets inside one block: `starts[i]` is where offset `offsets[i]` begins (`starts[0]` is the block start). */
interface OffsetBlock {
  readonly starts: number[];
  readonly offsets: number[];
}

// Offsets are sampled once a day; a change and its reversal inside one day would be missed (tzdata 2025b has no two
// offset changes less than two days apart in any zone). 32 days per block keeps a first look-up cheap (33 Intl calls).
const BLOCK_MS = 32 * DAY_MS;
const DATE_TIME = /(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)/;

/** The offsets of one time zone; get instances from {@link timeZoneOffsets}. */
export class TimeZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly blocks = new Map<number, OffsetBlock>();
  // The period that answered the last look-up: most look-ups fall in it.
  private periodStart = 1;
  private periodEnd = 0;
  private periodOffset = 0;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The offset (ms) in force at instant `ms`: wall time = ms + offset. */
  offsetAt(ms: number): number {
    if (ms >= this.periodStart && ms < this.periodEnd) return this.periodOffset;
    const index = Math.floor(ms / BLOCK_MS);
    const block = this.block(index);
    let i = block.starts.length - 1;
    while (i > 0 && (block.starts[i] as number) > ms) i--;
    this.periodStart = block.starts[i] as number;
    this.periodEnd = block.starts[i + 1] ?? (index + 1) * BLOCK_MS;
    this.periodOffset = block.offsets[i] as number;
    return this.periodOffset;
  }

  /**
   * The instant of local wall time `wallMs` (a local date-time written as if it were UTC ms). A wall time in a gap
   * maps to the first instant after the gap; a wall time that occurs twice maps to its first (earlier) instant.
   */
  resolveLocal(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    const early = wallMs - before;
    if (before === after || this.offsetAt(early) === before) return early;
    const late = wallMs - after;
    if (this.offsetAt(late) === after) return late;
    // Neither offset fits: the wall time lies in a gap; the first valid instant is the transition itself.
    return this.nextTransitionAfter(Math.min(early, late)) ?? early;
  }

  /**
   * When `wallMs` occurs twice (a fold), the wall time at which the repeated stretch ends; otherwise undefined.
   * Every wall time before it in the fold maps to an instant before the transition.
   */
  foldEndWall(wallMs: number): number | undefined {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    if (before <= after) return undefined;
    const early = wallMs - before;
    const late = wallMs - after;
    if (this.offsetAt(early) !== before || this.offsetAt(late) !== after) return undefined;
    const transition = this.nextTransitionAfter(early);
    return transition === undefined ? undefined : transition + before;
  }

  /** The first instant after `ms` (within 64 days) at which the offset changes. */
  nextTransitionAfter(ms: number): number | undefined {
    const first = Math.floor(ms / BLOCK_MS);
    for (let index = first; index <= first + 2; index++) {
      const block = this.block(index);
      for (let i = 1; i < block.starts.length; i++) {
        const start = block.starts[i] as number;
        if (start > ms) return start;
      }
      const nextStart = (index + 1) * BLOCK_MS;
      if (nextStart > ms && this.block(index + 1).offsets[0] !== block.offsets[block.offsets.length - 1]) {
        return nextStart;
      }
    }
    return undefined;
  }

  /** Every offset change in [fromMs, toMs). */
  transitionsBetween(fromMs: number, toMs: number): OffsetTransition[] {
    const out: OffsetTransition[] = [];
    let previous = this.offsetAt(fromMs);
    for (let index = Math.floor(fromMs / BLOCK_MS); index * BLOCK_MS < toMs; index++) {
      const block = this.block(index);
      for (let i = 0; i < block.starts.length; i++) {
        const at = block.starts[i] as number;
        const offset = block.offsets[i] as number;
        if (offset !== previous && at > fromMs && at < toMs) {
          out.push({ atMs: at, offsetBeforeMs: previous, offsetAfterMs: offset });
        }
        if (at >= fromMs) previous = offset;
      }
    }
    return out;
  }

  private block(index: number): OffsetBlock {
    let block = this.blocks.get(index);
    if (block === undefined) {
      block = this.buildBlock(index);
      this.blocks.set(index, block);
    }
    return block;
  }

  private buildBlock(index: number): OffsetBlock {
    const start = index * BLOCK_MS;
    const end = start + BLOCK_MS;
    const starts = [start];
    const offsets = [this.rawOffset(start)];
    let lo = start;
    let loOffset = offsets[0] as number;
    for (let sample = start + DAY_MS; sample <= end; sample += DAY_MS) {
      const sampleOffset = this.rawOffset(sample);
      // Several changes between two samples are found one after the other.
      while (sampleOffset !== loOffset) {
        const at = this.findChange(lo, loOffset, sample);
        if (at >= end) break;
        loOffset = this.rawOffset(at);
        starts.push(at);
        offsets.push(loOffset);
        lo = at;
      }
      lo = sample;
      loOffset = sampleOffset;
    }
    return { starts, offsets };
  }

  /** The first whole second in (lo, hi] whose offset differs from `loOffset` (offsets change on whole seconds). */
  private findChange(lo: number, loOffset: number, hi: number): number {
    let a = lo;
    let b = hi;
    while (b - a > 1000) {
      const mid = a + Math.floor((b - a) / 2000) * 1000;
      if (this.rawOffset(mid) === loOffset) a = mid;
      else b = mid;
    }
    return b;
  }

  /** The offset at `ms` straight from Intl (slow: the blocks cache it). */
  private rawOffset(ms: number): number {
    const clamped = Math.min(Math.max(ms, MIN_SUPPORTED_MS), MAX_SUPPORTED_MS);
    const second = Math.floor(clamped / 1000) * 1000;
    const match = DATE_TIME.exec(this.format.format(second));
    if (match === null) throw new Error(`Intl gave an unreadable date for time zone ${this.timeZone}`);
    const [, month, day, year, hour, minute, sec] = match.map(Number) as number[];
    const wall = daysFromCivil(year as number, month as number, day as number) * DAY_MS
      + (((hour as number) * 60 + (minute as number)) * 60 + (sec as number)) * 1000;
    return wall - second;
  }
}

const cache = new Map<string, TimeZoneOffsets>();

/** The shared offset table of `timeZone` (which must be valid, see {@link isValidTimeZone}). */
export function timeZoneOffsets(timeZone: string): TimeZoneOffsets {
  let offsets = cache.get(timeZone);
  if (offsets === undefined) {
    offsets = new TimeZoneOffsets(timeZone);
    cache.set(timeZone, offsets);
  }
  return offsets;
}

/** True when Intl knows the IANA time zone name `timeZone`. */
export function isValidTimeZone(timeZone: string): boolean {
  if (cache.has(timeZone)) return true;
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Local calendar fields of an instant, for display (a schedule preview). */
export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  /** Offset from UTC in minutes (east positive), e.g. 330 for Asia/Kolkata. */
  readonly offsetMinutes: number;
}

/**
 * The local date, time, weekday and UTC offset of `epochMs` in the IANA zone `tz`.
 * Throws SCHEDULE_RULE_INVALID (field `tz`) for an unknown zone, SCHEDULE_OPTION_INVALID (`epochMs`) for a bad instant.
 */
export function localParts(epochMs: number, tz: string): LocalParts {
  if (typeof tz !== 'string' || !isValidTimeZone(tz)) {
    throw new KairosError('SCHEDULE_RULE_INVALID', `tz must be an IANA time zone name known to Intl; got ${JSON.stringify(tz)}`, {
      details: { field: 'tz' },
    });
  }
  if (typeof epochMs !== 'number' || !(epochMs >= MIN_SUPPORTED_MS && epochMs <= MAX_SUPPORTED_MS)) {
    throw new KairosError('SCHEDULE_OPTION_INVALID', `epochMs must be epoch ms within years 0001–9999; got ${String(epochMs)}`, {
      details: { field: 'epochMs' },
    });
  }
  const offset = timeZoneOffsets(tz).offsetAt(epochMs);
  const wall = epochMs + offset;
  const dayNumber = Math.floor(wall / DAY_MS);
  const secondOfDay = Math.floor((wall - dayNumber * DAY_MS) / 1000);
  const { year, month, day } = civilFromDays(dayNumber);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    weekday: isoWeekday(dayNumber),
    offsetMinutes: offset / 60_000,
  };
}
