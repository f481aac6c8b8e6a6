/**
 * A compiled cron rule: walks matching local dates and times in the rule's zone and maps each local wall time to an
 * instant under the DST policy (gap → first instant after it, fold → first occurrence), holidays applied per date.
 */
import { KairosError } from '../errors.js';
import { DAY_MS, GREGORIAN_CYCLE_DAYS, civilFromDays, daysFromCivil, daysInMonth, isoWeekday } from './civil-date.js';
import type { CronFields } from './cron-fields.js';
import { DayMatcher } from './day-matcher.js';
import type { HolidayPolicy } from './holiday-policy.js';
import { TimeOfDay } from './time-of-day.js';
import type { CompiledRule, CronRule } from './types.js';
import type { TimeZoneOffsets } from './tz-offsets.js';
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS } from './tz-offsets.js';

/**
 * How far past `afterMs` a search looks, in local days: one Gregorian cycle plus a day. A possible rule without a
 * calendar always fires within it; a rule whose every occurrence in it is excluded by a calendar returns null.
 */
export const SEARCH_HORIZON_DAYS = GREGORIAN_CYCLE_DAYS + 1;

/** Checks an `afterMs` argument; shared by every compiled rule. */
export function checkAfterMs(afterMs: number): void {
  if (typeof afterMs !== 'number' || Number.isNaN(afterMs)) {
    throw new KairosError('SCHEDULE_OPTION_INVALID', `afterMs must be a number of epoch ms; got ${String(afterMs)}`, {
      details: { field: 'afterMs' },
    });
  }
}

/** Shared nextN: repeated next(), which already guarantees strictly increasing results. */
export function collectNext(rule: Pick<CompiledRule, 'next'>, afterMs: number, count: number): number[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new KairosError('SCHEDULE_OPTION_INVALID', `count must be a non-negative integer; got ${String(count)}`, {
      details: { field: 'count' },
    });
  }
  const out: number[] = [];
  let cursor = afterMs;
  while (out.length < count) {
    const next = rule.next(cursor);
    if (next === null) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

/** The compiled form of a {@link CronRule}. */
export class CronSchedule implements CompiledRule {
  private readonly days: DayMatcher;
  private readonly times: TimeOfDay;

  constructor(
    readonly rule: CronRule,
    fields: CronFields,
    private readonly offsets: TimeZoneOffsets,
    private readonly holidays: HolidayPolicy,
  ) {
    this.days = new DayMatcher(fields, rule.clampDayOfMonth === true);
    this.times = new TimeOfDay(fields.seconds, fields.minutes, fields.hours);
  }

  next(afterMs: number): number | null {
    checkAfterMs(afterMs);
    if (afterMs >= MAX_SUPPORTED_MS) return null;
    const after = Math.max(afterMs, MIN_SUPPORTED_MS - 1);
    const wall = after + this.offsets.offsetAt(after);
    // Every wall time up to `wall` maps to an instant ≤ after, because the mapping never runs backwards.
    let from = Math.floor(wall / 1000) * 1000 + 1000;
    for (;;) {
      const candidate = this.nextWallTime(from);
      if (candidate === undefined) return null;
      const instant = this.offsets.resolveLocal(candidate);
      if (instant > after) return instant > MAX_SUPPORTED_MS ? null : instant;
      // Only a fold's repeated stretch maps at or before `after` here (its first pass is over): skip past it.
      const foldEnd = this.offsets.foldEndWall(candidate);
      from = foldEnd !== undefined && foldEnd > candidate ? foldEnd : candidate + 1000;
    }
  }

  nextN(afterMs: number, count: number): number[] {
    return collectNext(this, afterMs, count);
  }

  /** The first matching local wall time (as UTC-style ms) at or after `fromWall`, or undefined past the horizon. */
  private nextWallTime(fromWall: number): number | undefined {
    const fromDay = Math.floor(fromWall / DAY_MS);
    const fromSecond = (fromWall - fromDay * DAY_MS) / 1000;
    const lastDay = fromDay + SEARCH_HORIZON_DAYS;
    let day = this.holidays.isIdentity ? fromDay : this.holidays.firstNominalDayFor(fromDay);
    while (day <= lastDay) {
      const { year, month, day: dayOfMonth } = civilFromDays(day);
      const length = daysInMonth(year, month);
      if (!this.days.monthAllowed(month)) {
        day = daysFromCivil(year, month, 1) + length;
        continue;
      }
      let weekday = isoWeekday(day);
      for (let d = dayOfMonth; d <= length && day <= lastDay; d++, day++, weekday = (weekday % 7) + 1) {
        if (!this.days.matches(month, length, d, weekday)) continue;
        const effective = this.holidays.isIdentity ? day : this.holidays.effectiveDay(day);
        if (effective === undefined || effective < fromDay) continue;
        const second = effective === fromDay ? this.times.nextFrom(fromSecond) : this.times.first;
        if (second >= 0) return effective * DAY_MS + second * 1000;
      }
    }
    return undefined;
  }
}
