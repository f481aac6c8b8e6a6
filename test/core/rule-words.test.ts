import { describe, expect, it } from 'vitest';
import { ruleInWords } from '../../src/core/schedule/rule-words.js';

describe('ruleInWords', () => {
  it.each([
    [{ cron: '0 9 L * *', tz: 'Asia/Seoul' }, 'at 09:00 on the last day of each month, Asia/Seoul'],
    [{ cron: '15 15 * * *' }, 'at 15:15 every day, UTC'],
    [{ cron: '0 9 * * 1,5', tz: 'Asia/Seoul' }, 'at 09:00 on Monday and Friday, Asia/Seoul'],
    [{ cron: '0 9 * * MON-FRI', tz: 'Europe/Paris' }, 'at 09:00 on Monday to Friday, Europe/Paris'],
    [{ cron: '30 8 * * 5#3' }, 'at 08:30 on the third Friday, UTC'],
    [{ cron: '0 0 * * 5L' }, 'at 00:00 on the last Friday, UTC'],
    [{ cron: '0 9 31 * *', clampDayOfMonth: true }, 'at 09:00 on day 31 of each month (a day past the month’s end means its last day), UTC'],
    [{ cron: '0 12 15 1,7 *' }, 'at 12:00 on day 15 of January and July, UTC'],
    [{ cron: '0 9 LW * *' }, 'at 09:00 on the last weekday of each month, UTC'],
    [{ cron: '0 9 15W * *' }, 'at 09:00 on the weekday nearest day 15 of each month, UTC'],
    [{ cron: '*/15 * * * *' }, 'every 15 minutes every day, UTC'],
    [{ cron: '* * * * *' }, 'every minute every day, UTC'],
    [{ cron: '5 * * * *' }, 'at minute 5 of every hour every day, UTC'],
    [{ cron: '0 9,18 * * *' }, 'at 09:00 and 18:00 every day, UTC'],
    [{ cron: '30 0 9 * * *' }, 'at 09:00:30 every day, UTC'],
    [{ cron: '@daily' }, 'at 00:00 every day, UTC'],
    [{ cron: '0 9 1 * *', calendar: 'kr', onHoliday: 'next-business-day' }, 'at 09:00 on day 1 of each month, moved to the next business day when not on weekdays and holidays of calendar kr, UTC'],
    [{ everyMs: 900_000 }, 'every 15 minutes'],
    [{ everyMs: 3_600_000, anchor: '2026-01-01T00:30:00Z' }, 'every hour, counted from 2026-01-01 00:30 UTC'],
    [{ at: '2030-01-01T00:00:00Z' }, 'once at 2030-01-01 00:00 UTC'],
  ] as const)('%j → %s', (rule, words) => {
    expect(ruleInWords(rule)).toBe(words);
  });
});
