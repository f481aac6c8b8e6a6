// Cron syntax and day semantics: L, L-n, LW, nW, #, 5L, ?, nicknames, seconds, Vixie OR/AND, billing-day clamp.
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/core/schedule/index.js';
import type { CronRule } from '../../../src/core/schedule/index.js';

/** The next `count` occurrences (UTC unless the rule says otherwise) as ISO strings without seconds when zero. */
function next(rule: CronRule | string, from: string, count: number): string[] {
  const compiled = compileRule(typeof rule === 'string' ? { cron: rule } : rule);
  return compiled.nextN(Date.parse(from), count).map((t) => new Date(t).toISOString().replace(':00.000Z', 'Z').replace('.000Z', 'Z'));
}

describe('day-of-month extensions', () => {
  it('L is the last day of the month', () => {
    expect(next('0 9 L * *', '2028-01-01T00:00Z', 3)).toEqual(['2028-01-31T09:00Z', '2028-02-29T09:00Z', '2028-03-31T09:00Z']);
  });

  it('L-n is n days before the last day', () => {
    expect(next('0 9 L-2 * *', '2026-01-01T00:00Z', 2)).toEqual(['2026-01-29T09:00Z', '2026-02-26T09:00Z']);
  });

  it('LW is the last Monday–Friday', () => {
    expect(next('0 9 LW * *', '2026-01-01T00:00Z', 5)).toEqual([
      '2026-01-30T09:00Z', '2026-02-27T09:00Z', '2026-03-31T09:00Z', '2026-04-30T09:00Z', '2026-05-29T09:00Z',
    ]);
  });

  it('nW is the nearest weekday inside the month', () => {
    // 2026-02-15 and 2026-03-15 are Sundays; 2026-08-01 is a Saturday (1W moves forward to Monday the 3rd).
    expect(next('0 0 15W * *', '2026-01-01T00:00Z', 3)).toEqual(['2026-01-15T00:00Z', '2026-02-16T00:00Z', '2026-03-16T00:00Z']);
    expect(next('0 0 1W 8 *', '2026-01-01T00:00Z', 1)).toEqual(['2026-08-03T00:00Z']);
    // 2026-05-31 is a Sunday and the last day: 31W moves back to Friday the 29th.
    expect(next('0 0 31W 5 *', '2026-01-01T00:00Z', 1)).toEqual(['2026-05-29T00:00Z']);
  });
});

describe('day-of-week extensions', () => {
  it('d#n is the n-th weekday of the month; months without a 5th one are skipped', () => {
    expect(next('0 9 * * MON#2', '2026-01-01T00:00Z', 2)).toEqual(['2026-01-12T09:00Z', '2026-02-09T09:00Z']);
    expect(next('0 9 * * MON#5', '2026-01-01T00:00Z', 2)).toEqual(['2026-03-30T09:00Z', '2026-06-29T09:00Z']);
  });

  it('5L, FRIL and 5#L are the last Friday', () => {
    const expected = ['2026-01-30T00:00Z', '2026-02-27T00:00Z', '2026-03-27T00:00Z'];
    for (const dow of ['5L', 'FRIL', 'fri#L', '5#L']) expect(next(`0 0 * * ${dow}`, '2026-01-01T00:00Z', 3)).toEqual(expected);
  });

  it('0 and 7 are Sunday; names are case-insensitive', () => {
    expect(next('0 0 * * 7', '2026-01-01T00:00Z', 2)).toEqual(next('0 0 * * sun', '2026-01-01T00:00Z', 2));
    expect(next('0 0 1 jan,Jul *', '2026-01-02T00:00Z', 2)).toEqual(['2026-07-01T00:00Z', '2027-01-01T00:00Z']);
  });
});

describe('day-of-month and day-of-week together (Vixie cron)', () => {
  it('both restricted: either matches (OR)', () => {
    // 2026-04-13 is a Monday: it fires as the 13th; the Fridays fire as Fridays.
    expect(next('0 9 13 * FRI', '2026-04-01T00:00Z', 6)).toEqual([
      '2026-04-03T09:00Z', '2026-04-10T09:00Z', '2026-04-13T09:00Z', '2026-04-17T09:00Z', '2026-04-24T09:00Z', '2026-05-01T09:00Z',
    ]);
  });

  it('1-7 with MON is an OR, not "the first Monday" (use MON#1)', () => {
    // 2026-06-01 is a Monday.
    expect(next('0 9 1-7 * MON', '2026-06-05T00:00Z', 4)).toEqual(['2026-06-05T09:00Z', '2026-06-06T09:00Z', '2026-06-07T09:00Z', '2026-06-08T09:00Z']);
    expect(next('0 9 * * MON#1', '2026-06-05T00:00Z', 1)).toEqual(['2026-07-06T09:00Z']);
  });

  it('a field starting with * makes both required (AND)', () => {
    expect(next('0 9 */2 * FRI', '2026-04-01T00:00Z', 4)).toEqual(['2026-04-03T09:00Z', '2026-04-17T09:00Z', '2026-05-01T09:00Z', '2026-05-15T09:00Z']);
    expect(next('0 9 ? * MON', '2026-04-01T00:00Z', 2)).toEqual(['2026-04-06T09:00Z', '2026-04-13T09:00Z']);
  });
});

describe('times of day', () => {
  it('a leading seconds field', () => {
    expect(next('*/20 * * * * *', '2026-01-01T00:00:05Z', 3)).toEqual(['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01Z']);
    expect(next('30 0 9 * * *', '2026-01-01T00:00Z', 1)).toEqual(['2026-01-01T09:00:30Z']);
  });

  it('carries from minute to hour to day', () => {
    expect(next('15,45 9-10 * * *', '2026-01-01T09:50Z', 3)).toEqual(['2026-01-01T10:15Z', '2026-01-01T10:45Z', '2026-01-02T09:15Z']);
  });

  it('nicknames', () => {
    const from = '2026-01-01T00:30Z';
    expect(next('@hourly', from, 1)).toEqual(['2026-01-01T01:00Z']);
    expect(next('@daily', from, 1)).toEqual(['2026-01-02T00:00Z']);
    expect(next('@weekly', from, 1)).toEqual(['2026-01-04T00:00Z']);
    expect(next('@monthly', from, 1)).toEqual(['2026-02-01T00:00Z']);
    expect(next('@yearly', from, 1)).toEqual(['2027-01-01T00:00Z']);
  });

  it('a sparse rule is found years ahead: 29 February', () => {
    expect(next('0 0 29 2 *', '2026-01-01T00:00Z', 3)).toEqual(['2028-02-29T00:00Z', '2032-02-29T00:00Z', '2036-02-29T00:00Z']);
    expect(next('0 0 29 2 *', '2096-03-01T00:00Z', 1)).toEqual(['2104-02-29T00:00Z']);
  });
});

describe('billing days: clampDayOfMonth', () => {
  it('day 31 fires on the last day of shorter months', () => {
    expect(next({ cron: '0 9 31 * *', clampDayOfMonth: true }, '2026-01-01T00:00Z', 4)).toEqual([
      '2026-01-31T09:00Z', '2026-02-28T09:00Z', '2026-03-31T09:00Z', '2026-04-30T09:00Z',
    ]);
    expect(next({ cron: '0 9 31 * *', clampDayOfMonth: true }, '2028-02-01T00:00Z', 1)).toEqual(['2028-02-29T09:00Z']);
  });

  it('29,30,31 fire once in February and do not repeat the last day of a 30-day month', () => {
    expect(next({ cron: '0 9 29,30,31 * *', clampDayOfMonth: true }, '2026-02-01T00:00Z', 6)).toEqual([
      '2026-02-28T09:00Z', '2026-03-29T09:00Z', '2026-03-30T09:00Z', '2026-03-31T09:00Z', '2026-04-29T09:00Z', '2026-04-30T09:00Z',
    ]);
  });

  it('without the clamp, day 31 skips shorter months', () => {
    expect(next('0 9 31 * *', '2026-01-01T00:00Z', 3)).toEqual(['2026-01-31T09:00Z', '2026-03-31T09:00Z', '2026-05-31T09:00Z']);
  });

  it('in a time zone, the clamp works on local dates', () => {
    expect(next({ cron: '0 9 31 * *', clampDayOfMonth: true, tz: 'Asia/Seoul' }, '2026-04-01T00:00Z', 1)).toEqual(['2026-04-30T00:00Z']);
  });
});

describe('impossible rules are refused at compile time', () => {
  it.each(['0 0 30 2 *', '0 0 31 4,6,9,11 *', '0 0 30W 2 *', '0 0 31 2 *'])('%s', (cron) => {
    expect(() => compileRule({ cron })).toThrow(expect.objectContaining({ code: 'SCHEDULE_RULE_IMPOSSIBLE', details: { field: 'cron' } }));
    expect(() => compileRule({ cron })).toThrow(cron);
  });

  it('the clamp makes day 31 of short months possible', () => {
    expect(() => compileRule({ cron: '0 0 31 4,6,9,11 *', clampDayOfMonth: true })).not.toThrow();
    expect(() => compileRule({ cron: '0 0 29 2 *' })).not.toThrow();
    expect(() => compileRule({ cron: '0 0 * 2 MON#5' })).not.toThrow();
  });
});
