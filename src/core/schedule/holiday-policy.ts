/**
 * Calendar exclusions and business-day shifts: maps a rule's nominal local date to the date it fires on (or drops it).
 * Searches are bounded by the calendar's extent: past its last date, a business weekday comes within a week.
 */
import { isoWeekday } from './civil-date.js';

/** What happens to an occurrence on an excluded date; `calendar-only` is the default when no `onHoliday` is given. */
export type HolidayMode = 'calendar-only' | 'skip' | 'next-business-day' | 'previous-business-day';

/** A remembered run of days that all map to `result` (days are in [low, high]). */
interface Run {
  low: number;
  high: number;
  result: number;
}

/** Maps nominal day numbers to effective day numbers. Holds a small cache, so one instance per compiled rule. */
export class HolidayPolicy {
  private readonly business: boolean[];
  private nextRun: Run = { low: 1, high: 0, result: 0 };
  private previousRun: Run = { low: 1, high: 0, result: 0 };

  /**
   * @param mode how excluded days are handled
   * @param excluded day numbers of calendar dates (local dates)
   * @param businessDays ISO weekdays (1 = Monday … 7 = Sunday) that are business days; used unless mode is
   *   `calendar-only`; must not be empty
   */
  constructor(readonly mode: HolidayMode, private readonly excluded: ReadonlySet<number>, businessDays: readonly number[]) {
    this.business = new Array<boolean>(8).fill(mode === 'calendar-only');
    if (mode !== 'calendar-only') for (const day of businessDays) this.business[day] = true;
  }

  /** True when nothing is ever excluded or moved. */
  get isIdentity(): boolean {
    return this.mode === 'calendar-only' && this.excluded.size === 0;
  }

  /** The day the nominal day `day` fires on, or undefined when its occurrences are dropped. */
  effectiveDay(day: number): number | undefined {
    switch (this.mode) {
      case 'calendar-only':
        return this.excluded.has(day) ? undefined : day;
      case 'skip':
        return this.isBusinessDay(day) ? day : undefined;
      case 'next-business-day':
        return this.nextBusinessDay(day);
      case 'previous-business-day':
        return this.previousBusinessDay(day);
    }
  }

  /** The earliest nominal day whose effective day can be `day` or later. */
  firstNominalDayFor(day: number): number {
    // Only a forward shift brings earlier nominal days onto `day`: those after the last business day before it.
    return this.mode === 'next-business-day' ? this.previousBusinessDay(day - 1) + 1 : day;
  }

  /** True when `day` is a business day under this policy. */
  isBusinessDay(day: number): boolean {
    return this.business[isoWeekday(day)] === true && !this.excluded.has(day);
  }

  /** The first business day on or after `day`. */
  private nextBusinessDay(day: number): number {
    const run = this.nextRun;
    if (day >= run.low && day <= run.high) return run.result;
    let candidate = day;
    while (!this.isBusinessDay(candidate)) {
      candidate++;
      if (candidate >= run.low && candidate <= run.high) {
        candidate = run.result;
        break;
      }
    }
    this.nextRun = { low: day, high: candidate, result: candidate };
    return candidate;
  }

  /** The last business day on or before `day`. */
  private previousBusinessDay(day: number): number {
    const run = this.previousRun;
    if (day >= run.low && day <= run.high) return run.result;
    let candidate = day;
    while (!this.isBusinessDay(candidate)) {
      candidate--;
      if (candidate >= run.low && candidate <= run.high) {
        candidate = run.result;
        break;
      }
    }
    this.previousRun = { low: candidate, high: day, result: candidate };
    return candidate;
  }
}
