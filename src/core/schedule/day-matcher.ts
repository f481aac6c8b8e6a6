/**
 * Decides whether a local calendar date matches the day fields of a cron rule (day of month, month, day of week),
 * with Vixie cron's OR of the two day fields, `L`/`W`/`#` and the billing-day clamp.
 */
import { daysInMonth } from './civil-date.js';
import type { CronFields } from './cron-fields.js';

/** The day part of a compiled cron rule. Pure: depends on the month, its length, the day and its weekday only. */
export class DayMatcher {
  private readonly largestNumericDay: number;
  private readonly orDays: boolean;

  constructor(private readonly fields: CronFields, private readonly clampDayOfMonth: boolean) {
    this.largestNumericDay = fields.daysOfMonth.lastIndexOf(true);
    // Vixie cron: when both day fields are restricted a date matches either; if one starts with `*`, both must match.
    this.orDays = fields.dayOfMonthRestricted && fields.dayOfWeekRestricted;
  }

  /** True when day `day` (ISO weekday `weekday`) of `month` (1–12, `monthLength` days long) matches. */
  matches(month: number, monthLength: number, day: number, weekday: number): boolean {
    if (!this.fields.months[month]) return false;
    const dom = this.dayOfMonthMatches(monthLength, day, weekday);
    if (this.orDays) return dom || this.dayOfWeekMatches(monthLength, day, weekday);
    return dom && this.dayOfWeekMatches(monthLength, day, weekday);
  }

  /** True when the month field allows `month` (1–12). */
  monthAllowed(month: number): boolean {
    return this.fields.months[month] === true;
  }

  /** True when some date of some year matches (the Gregorian calendar repeats every 400 years). */
  canEverMatch(): boolean {
    for (let month = 1; month <= 12; month++) {
      const lengths = month === 2 ? [28, 29] : [daysInMonth(2001, month)];
      for (const length of lengths) {
        for (let firstWeekday = 1; firstWeekday <= 7; firstWeekday++) {
          for (let day = 1; day <= length; day++) {
            if (this.matches(month, length, day, ((firstWeekday - 1 + day - 1) % 7) + 1)) return true;
          }
        }
      }
    }
    return false;
  }

  private dayOfMonthMatches(length: number, day: number, weekday: number): boolean {
    const f = this.fields;
    if (f.daysOfMonth[day]) return true;
    if (day === length && (f.lastDay || (this.clampDayOfMonth && this.largestNumericDay > length))) return true;
    for (const before of f.lastDayOffsets) if (day === length - before) return true;
    if (f.lastWeekday && day === nearestWeekday(length, length, day, weekday)) return true;
    for (const target of f.nearestWeekdays) {
      if (target > length && !this.clampDayOfMonth) continue;
      if (day === nearestWeekday(Math.min(target, length), length, day, weekday)) return true;
    }
    return false;
  }

  private dayOfWeekMatches(length: number, day: number, weekday: number): boolean {
    const mask = this.fields.weekdays[weekday % 7] ?? 0;
    if (mask === 0) return false;
    const nth = Math.floor((day - 1) / 7);
    return (mask & (1 << nth)) !== 0 || ((mask & 32) !== 0 && day + 7 > length);
  }
}

/**
 * The Monday–Friday day nearest to `target` without leaving the month (Quartz `W`): Saturday moves to Friday (or to
 * Monday when the 1st is a Saturday), Sunday to Monday (or to Friday when Sunday is the last day).
 * `day`/`weekday` are any known day of the same month and its ISO weekday.
 */
function nearestWeekday(target: number, length: number, day: number, weekday: number): number {
  const targetWeekday = ((((weekday - 1 + target - day) % 7) + 7) % 7) + 1;
  if (targetWeekday === 6) return target > 1 ? target - 1 : target + 2;
  if (targetWeekday === 7) return target < length ? target + 1 : target - 2;
  return target;
}
