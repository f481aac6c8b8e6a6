// Holiday calendars and business days: skip, next/previous business day, defaults, de-duplication, bounded search.
import { describe, expect, it } from 'vitest';
import { compileRule, validateCalendarDates } from '../../../src/core/schedule/index.js';
import type { CalendarSet, CronRule } from '../../../src/core/schedule/index.js';
import { daysFromCivil, formatDay, isLeapYear } from '../../../src/core/schedule/civil-date.js';

function calendarsOf(entries: Record<string, string[]>): CalendarSet {
  const map = new Map(Object.entries(entries).map(([name, dates]) => [name, new Set(dates)]));
  return { get: (name) => map.get(name) };
}

/** Every date from `first` to `last` inclusive, as YYYY-MM-DD. */
function everyDay(first: [number, number, number], last: [number, number, number]): string[] {
  const out: string[] = [];
  for (let d = daysFromCivil(...first); d <= daysFromCivil(...last); d++) out.push(formatDay(d));
  return out;
}

const calendars = calendarsOf({
  kr: ['2026-01-01', '2026-04-30'],
  busy: everyDay([2026, 1, 1], [2027, 12, 31]),
  leapDays: Array.from({ length: 400 }, (_, i) => 2026 + i).filter(isLeapYear).map((year) => `${year}-02-29`),
  nySaturday: ['2026-03-07'],
});

/** Seoul 09:00 occurrences as local dates (09:00 KST is 00:00Z, so the UTC date is the local date). */
function dates(rule: Partial<CronRule>, from: string, count: number): string[] {
  const compiled = compileRule({ cron: '0 9 * * *', tz: 'Asia/Seoul', ...rule }, calendars);
  return compiled.nextN(Date.parse(from), count).map((t) => new Date(t).toISOString().slice(0, 10));
}

describe('calendar exclusions and onHoliday', () => {
  // 2025-12-31 is a Wednesday; 2026-01-01 (holiday) a Thursday; 2026-01-03/04 a weekend.
  it('a calendar alone skips its dates; weekends are not special', () => {
    expect(dates({ calendar: 'kr' }, '2025-12-30T12:00Z', 4)).toEqual(['2025-12-31', '2026-01-02', '2026-01-03', '2026-01-04']);
  });

  it("onHoliday 'skip' drops holidays and weekends", () => {
    expect(dates({ calendar: 'kr', onHoliday: 'skip' }, '2025-12-30T12:00Z', 3)).toEqual(['2025-12-31', '2026-01-02', '2026-01-05']);
  });

  it("'next-business-day' moves forward and fires once per day", () => {
    expect(dates({ calendar: 'kr', onHoliday: 'next-business-day' }, '2025-12-30T12:00Z', 4)).toEqual([
      '2025-12-31', '2026-01-02', '2026-01-05', '2026-01-06',
    ]);
  });

  it("'previous-business-day' moves back and fires once per day", () => {
    expect(dates({ calendar: 'kr', onHoliday: 'previous-business-day' }, '2025-12-30T12:00Z', 3)).toEqual(['2025-12-31', '2026-01-02', '2026-01-05']);
  });

  it('a move may cross a month boundary', () => {
    // 2026-01-31 is a Saturday.
    expect(dates({ cron: '0 9 31 * *', onHoliday: 'next-business-day' }, '2026-01-01T00:00Z', 2)).toEqual(['2026-02-02', '2026-03-31']);
  });

  it('last business day of the month: L with previous-business-day and a holiday calendar', () => {
    expect(dates({ cron: '0 9 L * *', onHoliday: 'previous-business-day' }, '2026-01-01T00:00Z', 6)).toEqual([
      '2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30',
    ]);
    expect(dates({ cron: '0 9 L * *', onHoliday: 'previous-business-day', calendar: 'kr' }, '2026-04-01T00:00Z', 1)).toEqual(['2026-04-29']);
  });

  it('custom business days (Sunday–Thursday)', () => {
    // 2026-01-01 is a Thursday.
    expect(dates({ onHoliday: 'skip', businessDays: [7, 1, 2, 3, 4] }, '2025-12-31T12:00Z', 3)).toEqual(['2026-01-01', '2026-01-04', '2026-01-05']);
  });

  it('a move re-applies the DST policy on the new date and merges with its own occurrence', () => {
    // Saturday 2026-03-07 is a holiday; its 02:30 moves to Sunday 03-08, inside New York's gap → 03:00 EDT.
    const rule = compileRule({ cron: '30 2 * * *', tz: 'America/New_York', calendar: 'nySaturday', onHoliday: 'next-business-day', businessDays: [1, 2, 3, 4, 5, 6, 7] }, calendars);
    expect(rule.nextN(Date.parse('2026-03-06T12:00Z'), 2).map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z',
    ]);
  });
});

describe('searches end', () => {
  it('two years of holidays: each mode finds the first date after them', () => {
    expect(dates({ calendar: 'busy' }, '2026-06-01T00:00Z', 1)).toEqual(['2028-01-01']);
    expect(dates({ calendar: 'busy', onHoliday: 'skip' }, '2026-06-01T00:00Z', 1)).toEqual(['2028-01-03']);
    expect(dates({ calendar: 'busy', onHoliday: 'next-business-day' }, '2026-06-01T00:00Z', 2)).toEqual(['2028-01-03', '2028-01-04']);
    expect(dates({ calendar: 'busy', onHoliday: 'previous-business-day' }, '2026-06-01T00:00Z', 1)).toEqual(['2028-01-03']);
  });

  it('a rule whose every occurrence within the 400-year horizon is excluded returns null', () => {
    const rule = compileRule({ cron: '0 0 29 2 *', calendar: 'leapDays' }, calendars);
    expect(rule.next(Date.parse('2026-01-01T00:00Z'))).toBeNull();
    expect(rule.nextN(Date.parse('2026-01-01T00:00Z'), 3)).toEqual([]);
  });
});

describe('calendar errors and validateCalendarDates', () => {
  it('an unknown calendar is CALENDAR_NOT_FOUND at compile time', () => {
    expect(() => compileRule({ cron: '0 9 * * *', calendar: 'nope' }, calendars)).toThrow(
      expect.objectContaining({ code: 'CALENDAR_NOT_FOUND', details: { field: 'calendar' } }),
    );
    expect(() => compileRule({ cron: '0 9 * * *', calendar: 'kr' })).toThrow(expect.objectContaining({ code: 'CALENDAR_NOT_FOUND' }));
  });

  it('a malformed date inside a calendar set is CALENDAR_INVALID', () => {
    expect(() => compileRule({ cron: '0 9 * * *', calendar: 'bad' }, calendarsOf({ bad: ['2026-13-01'] }))).toThrow(
      expect.objectContaining({ code: 'CALENDAR_INVALID', details: { field: 'calendar' } }),
    );
  });

  it('normalizes: trimmed, sorted, without duplicates', () => {
    expect(validateCalendarDates('kr-2026', ['2026-12-25', ' 2026-01-01', '2026-12-25', '2024-02-29'])).toEqual(['2024-02-29', '2026-01-01', '2026-12-25']);
  });

  it.each([
    ['', ['2026-01-01'], 'name'],
    ['has space', ['2026-01-01'], 'name'],
    ['kr', '2026-01-01', 'dates'],
    ['kr', ['2026-01-01', '2026-02-30'], 'dates[1]'],
    ['kr', ['2026-1-1'], 'dates[0]'],
    ['kr', [20260101], 'dates[0]'],
  ])('refuses name %j, dates %j (field %s)', (name, dates, field) => {
    expect(() => validateCalendarDates(name, dates)).toThrow(expect.objectContaining({ code: 'CALENDAR_INVALID', details: { field } }));
  });
});
