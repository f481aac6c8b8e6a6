/**
 * Holiday calendars: named sets of excluded local dates (`YYYY-MM-DD`). Validation for calendar definitions, and the
 * lookup a rule does when it is compiled.
 */
import { KairosError } from '../errors.js';
import { parseDay } from './civil-date.js';

/** Named holiday calendars, each a set of excluded local dates written `YYYY-MM-DD`. */
export interface CalendarSet {
  get(name: string): ReadonlySet<string> | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Checks a calendar definition and returns its dates normalized: trimmed, sorted and without duplicates.
 * Throws CALENDAR_INVALID naming the field (`name`, `dates`, `dates[3]`) when the name is empty or has characters
 * outside `[A-Za-z0-9_.:-]`, or a date is not a real `YYYY-MM-DD` date.
 */
export function validateCalendarDates(name: string, dates: unknown): string[] {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new KairosError('CALENDAR_INVALID', `calendar name ${JSON.stringify(name)} must be 1–100 characters of `
      + '[A-Za-z0-9_.:-]', { details: { field: 'name' } });
  }
  if (!Array.isArray(dates) && !(dates instanceof Set)) {
    throw new KairosError('CALENDAR_INVALID', `calendar '${name}': dates must be an array of 'YYYY-MM-DD' strings`, {
      details: { field: 'dates' },
    });
  }
  const unique = new Set<string>();
  [...(dates as Iterable<unknown>)].forEach((value, index) => {
    const text = typeof value === 'string' ? value.trim() : undefined;
    if (text === undefined || parseDay(text) === undefined) {
      throw new KairosError('CALENDAR_INVALID', `calendar '${name}': dates[${index}] ${JSON.stringify(value)} is not a `
        + "real date written 'YYYY-MM-DD'", { details: { field: `dates[${index}]` } });
    }
    unique.add(text);
  });
  return [...unique].sort();
}

/**
 * The excluded day numbers of calendar `name`, read once when a rule is compiled (recompile after a calendar
 * changes). Throws CALENDAR_NOT_FOUND when the set does not hold it, CALENDAR_INVALID when a date is malformed.
 */
export function lookUpCalendar(name: string, calendars: CalendarSet | undefined): Set<number> {
  const dates = calendars?.get(name);
  if (dates === undefined) {
    throw new KairosError('CALENDAR_NOT_FOUND', `calendar '${name}' named by the rule is not defined`, {
      details: { field: 'calendar' },
    });
  }
  const days = new Set<number>();
  for (const text of dates) {
    const day = parseDay(text);
    if (day === undefined) {
      throw new KairosError('CALENDAR_INVALID', `calendar '${name}' holds ${JSON.stringify(text)}, which is not a `
        + "real date written 'YYYY-MM-DD'", { details: { field: 'calendar' } });
    }
    days.add(day);
  }
  return days;
}
