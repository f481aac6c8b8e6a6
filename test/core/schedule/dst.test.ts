// The DST examples of docs/schedules-rules.md §3, one by one: gaps fire at the first instant after them, folds once.
import { describe, expect, it } from 'vitest';
import { compileRule, localParts } from '../../../src/core/schedule/index.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const after = (text: string) => Date.parse(text);

/** Occurrences of `cron` in `tz` after `from`, as `YYYY-MM-DDTHH:MMZ`. */
function occurrences(cron: string, tz: string, from: string, count: number): string[] {
  return compileRule({ cron, tz }).nextN(after(from), count).map(iso);
}

describe('spring forward: a wall time in the gap fires once, at the first instant after it', () => {
  it('New York 02:30 on 2026-03-08 fires at 03:00 EDT (07:00Z)', () => {
    expect(occurrences('30 2 * * *', 'America/New_York', '2026-03-07T00:00Z', 3)).toEqual([
      '2026-03-07T07:30Z', '2026-03-08T07:00Z', '2026-03-09T06:30Z',
    ]);
  });

  it('New York hourly: 02:00 and 03:00 land on the same instant and fire once', () => {
    expect(occurrences('0 * * * *', 'America/New_York', '2026-03-08T05:30Z', 3)).toEqual([
      '2026-03-08T06:00Z', '2026-03-08T07:00Z', '2026-03-08T08:00Z',
    ]);
  });

  it('Lord Howe (30-minute DST) 02:15 fires at 02:30 +11', () => {
    expect(occurrences('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00Z', 2)).toEqual([
      '2026-10-03T15:30Z', '2026-10-04T15:15Z',
    ]);
  });

  it('Chatham (+12:45 → +13:45) 03:00 fires at 03:45', () => {
    expect(occurrences('0 3 * * *', 'Pacific/Chatham', '2026-09-26T00:00Z', 2)).toEqual(['2026-09-26T14:00Z', '2026-09-27T13:15Z']);
  });

  it("St John's (−3:30 → −2:30) 02:30 fires at 03:00 −02:30", () => {
    expect(occurrences('30 2 * * *', 'America/St_Johns', '2026-03-08T00:00Z', 1)).toEqual(['2026-03-08T05:30Z']);
  });

  it('Santiago (DST at midnight) 00:30 fires at 01:00 −03 on the day that starts at 01:00', () => {
    expect(occurrences('30 0 * * *', 'America/Santiago', '2026-09-05T12:00Z', 2)).toEqual(['2026-09-06T04:00Z', '2026-09-07T03:30Z']);
  });

  it('Casablanca (end of the Ramadan offset) 02:30 fires at 03:00 +01', () => {
    expect(occurrences('30 2 * * *', 'Africa/Casablanca', '2026-03-21T12:00Z', 2)).toEqual(['2026-03-22T02:00Z', '2026-03-23T01:30Z']);
  });

  it('Dublin 01:30 on 2026-03-29 fires at 02:00 IST', () => {
    expect(occurrences('30 1 * * *', 'Europe/Dublin', '2026-03-28T12:00Z', 2)).toEqual(['2026-03-29T01:00Z', '2026-03-30T00:30Z']);
  });

  it('Apia skipped 2011-12-30: its 09:00 fires at 00:00 on the 31st, then as usual', () => {
    const got = occurrences('0 9 * * *', 'Pacific/Apia', '2011-12-29T12:00Z', 3);
    expect(got).toEqual(['2011-12-29T19:00Z', '2011-12-30T10:00Z', '2011-12-30T19:00Z']);
    expect(localParts(after('2011-12-30T10:00Z'), 'Pacific/Apia')).toMatchObject({ year: 2011, month: 12, day: 31, hour: 0 });
  });
});

describe('fall back: a repeated wall time fires once, at its first occurrence', () => {
  it('New York 01:30 on 2026-11-01 fires at 01:30 EDT only', () => {
    expect(occurrences('30 1 * * *', 'America/New_York', '2026-10-31T12:00Z', 2)).toEqual(['2026-11-01T05:30Z', '2026-11-02T06:30Z']);
  });

  it('New York every 15 minutes skips the four repeated quarter-hours', () => {
    expect(occurrences('*/15 * * * *', 'America/New_York', '2026-11-01T04:50Z', 6)).toEqual([
      '2026-11-01T05:00Z', '2026-11-01T05:15Z', '2026-11-01T05:30Z', '2026-11-01T05:45Z', '2026-11-01T07:00Z', '2026-11-01T07:15Z',
    ]);
  });

  it('asked during the second pass, the next occurrence is after the repeated stretch', () => {
    // 06:20Z is 01:20 EST, the second 01:20 of the night.
    expect(occurrences('*/15 * * * *', 'America/New_York', '2026-11-01T06:20Z', 1)).toEqual(['2026-11-01T07:00Z']);
    expect(occurrences('0 * * * * *', 'America/New_York', '2026-11-01T06:59:59Z', 1)).toEqual(['2026-11-01T07:00Z']);
  });

  it('Lord Howe 01:45 on 2026-04-05 fires at 01:45 +11 only', () => {
    expect(occurrences('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00Z', 2)).toEqual(['2026-04-04T14:45Z', '2026-04-05T15:15Z']);
  });

  it('Santiago 23:30 on 2026-04-04 (repeated hour before midnight) fires at 23:30 −03 only', () => {
    expect(occurrences('30 23 * * *', 'America/Santiago', '2026-04-04T12:00Z', 2)).toEqual(['2026-04-05T02:30Z', '2026-04-06T03:30Z']);
  });

  it('Casablanca (start of the Ramadan offset) 02:30 fires at 02:30 +01 only', () => {
    expect(occurrences('30 2 * * *', 'Africa/Casablanca', '2026-02-14T12:00Z', 2)).toEqual(['2026-02-15T01:30Z', '2026-02-16T02:30Z']);
  });

  it('Apia repeated 1892-07-04 (LMT +12:33:04 → −11:26:56): its 09:00 fires once, in the first pass', () => {
    const got = compileRule({ cron: '0 9 * * *', tz: 'Pacific/Apia' }).nextN(after('1892-07-03T12:00Z'), 2);
    expect(got.map((t) => new Date(t).toISOString())).toEqual(['1892-07-03T20:26:56.000Z', '1892-07-05T20:26:56.000Z']);
  });

  it('Dublin 01:30 on 2026-10-25 fires at 01:30 IST only', () => {
    expect(occurrences('30 1 * * *', 'Europe/Dublin', '2026-10-24T12:00Z', 2)).toEqual(['2026-10-25T00:30Z', '2026-10-26T01:30Z']);
  });
});

describe('zones without DST and intervals', () => {
  it('Kolkata (+5:30) 02:30 is 21:00Z the day before', () => {
    expect(occurrences('30 2 * * *', 'Asia/Kolkata', '2026-03-07T00:00Z', 2)).toEqual(['2026-03-07T21:00Z', '2026-03-08T21:00Z']);
  });

  it('an interval is absolute time: hourly across New York spring forward', () => {
    const got = compileRule({ everyMs: 3_600_000 }).nextN(after('2026-03-08T05:30Z'), 3);
    expect(got.map(iso)).toEqual(['2026-03-08T06:00Z', '2026-03-08T07:00Z', '2026-03-08T08:00Z']);
    expect(got.map((t) => localParts(t, 'America/New_York').hour)).toEqual([1, 3, 4]);
  });
});

describe('localParts', () => {
  it('gives local fields, ISO weekday and offset', () => {
    expect(localParts(after('2026-03-08T07:00Z'), 'America/New_York')).toEqual({
      year: 2026, month: 3, day: 8, hour: 3, minute: 0, second: 0, weekday: 7, offsetMinutes: -240,
    });
    expect(localParts(after('2026-09-26T14:00Z'), 'Pacific/Chatham').offsetMinutes).toBe(825);
    expect(localParts(after('2026-01-01T00:00Z'), 'Asia/Kolkata')).toMatchObject({ hour: 5, minute: 30, weekday: 4, offsetMinutes: 330 });
  });
});

describe('localParts arguments', () => {
  it('names the bad argument', () => {
    expect(() => localParts(0, 'Nowhere/Land')).toThrow(expect.objectContaining({ code: 'SCHEDULE_RULE_INVALID', details: { field: 'tz' } }));
    expect(() => localParts(Number.NaN, 'UTC')).toThrow(expect.objectContaining({ code: 'SCHEDULE_OPTION_INVALID', details: { field: 'epochMs' } }));
  });
});
