// compileRule refuses bad input with a stable code and names the field, in details.field and in the message.
import { describe, expect, it } from 'vitest';
import { isKairosError } from '../../../src/core/errors.js';
import { compileRule } from '../../../src/core/schedule/index.js';

function refusal(rule: unknown): { code: string; field: unknown; message: string } {
  try {
    compileRule(rule);
  } catch (error) {
    if (!isKairosError(error)) throw error;
    return { code: error.code, field: error.details.field, message: error.message };
  }
  throw new Error(`compileRule accepted ${JSON.stringify(rule)}`);
}

describe('compileRule validation', () => {
  it.each([
    [null, 'SCHEDULE_RULE_INVALID', 'rule'],
    ['0 9 * * *', 'SCHEDULE_RULE_INVALID', 'rule'],
    [{}, 'SCHEDULE_RULE_INVALID', 'rule'],
    [{ cron: '0 9 * * *', everyMs: 60_000 }, 'SCHEDULE_RULE_INVALID', 'rule'],
    [{ cron: 42 }, 'SCHEDULE_RULE_INVALID', 'cron'],
    [{ cron: '' }, 'SCHEDULE_RULE_INVALID', 'cron'],
    [{ cron: '* * * *' }, 'SCHEDULE_RULE_INVALID', 'cron'],
    [{ cron: '0 0 * * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron'],
    [{ cron: '@sometimes' }, 'SCHEDULE_RULE_INVALID', 'cron'],
    [{ cron: '61 0 * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.second'],
    [{ cron: '60 * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.minute'],
    [{ cron: '0 24 * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.hour'],
    [{ cron: '0 0 32 * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 0 * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 1,,2 * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 32W * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 L-31 * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 XW * *' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfMonth'],
    [{ cron: '0 0 1 13 *' }, 'SCHEDULE_RULE_INVALID', 'cron.month'],
    [{ cron: '0 0 1 FOO *' }, 'SCHEDULE_RULE_INVALID', 'cron.month'],
    [{ cron: '0 0 * * 8' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfWeek'],
    [{ cron: '0 0 * * MON#6' }, 'SCHEDULE_RULE_INVALID', 'cron.dayOfWeek'],
    [{ cron: '*/0 * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.minute'],
    [{ cron: '5-1 * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.minute'],
    [{ cron: '? * * * *' }, 'SCHEDULE_RULE_INVALID', 'cron.minute'],
    [{ cron: '0 9 * * *', tz: 'Mars/Olympus' }, 'SCHEDULE_RULE_INVALID', 'tz'],
    [{ cron: '0 9 * * *', tz: '' }, 'SCHEDULE_RULE_INVALID', 'tz'],
    [{ cron: '0 9 * * *', tz: 9 }, 'SCHEDULE_RULE_INVALID', 'tz'],
    [{ cron: '0 9 * * *', timezone: 'UTC' }, 'SCHEDULE_OPTION_INVALID', 'timezone'],
    [{ cron: '0 9 * * *', clampDayOfMonth: 'yes' }, 'SCHEDULE_OPTION_INVALID', 'clampDayOfMonth'],
    [{ cron: '0 9 * * *', clampDayOfMonth: true }, 'SCHEDULE_OPTION_INVALID', 'clampDayOfMonth'],
    [{ cron: '0 9 L * *', clampDayOfMonth: true }, 'SCHEDULE_OPTION_INVALID', 'clampDayOfMonth'],
    [{ cron: '0 9 * * *', onHoliday: 'later' }, 'SCHEDULE_OPTION_INVALID', 'onHoliday'],
    [{ cron: '0 9 * * *', businessDays: [1, 2] }, 'SCHEDULE_OPTION_INVALID', 'businessDays'],
    [{ cron: '0 9 * * *', onHoliday: 'skip', businessDays: [] }, 'SCHEDULE_OPTION_INVALID', 'businessDays'],
    [{ cron: '0 9 * * *', onHoliday: 'skip', businessDays: [1, 0] }, 'SCHEDULE_OPTION_INVALID', 'businessDays[1]'],
    [{ cron: '0 9 * * *', onHoliday: 'skip', businessDays: [1.5] }, 'SCHEDULE_OPTION_INVALID', 'businessDays[0]'],
    [{ cron: '0 9 * * *', calendar: 7 }, 'SCHEDULE_OPTION_INVALID', 'calendar'],
    [{ cron: '0 0 30 2 *' }, 'SCHEDULE_RULE_IMPOSSIBLE', 'cron'],
    [{ everyMs: 0 }, 'SCHEDULE_RULE_INVALID', 'everyMs'],
    [{ everyMs: -1000 }, 'SCHEDULE_RULE_INVALID', 'everyMs'],
    [{ everyMs: 999 }, 'SCHEDULE_RULE_INVALID', 'everyMs'],
    [{ everyMs: 1500.5 }, 'SCHEDULE_RULE_INVALID', 'everyMs'],
    [{ everyMs: '60000' }, 'SCHEDULE_RULE_INVALID', 'everyMs'],
    [{ everyMs: 60_000, anchor: 'yesterday' }, 'SCHEDULE_OPTION_INVALID', 'anchor'],
    [{ everyMs: 60_000, anchor: '2026-01-01T00:00:00' }, 'SCHEDULE_OPTION_INVALID', 'anchor'],
    [{ everyMs: 60_000, tz: 'UTC' }, 'SCHEDULE_OPTION_INVALID', 'tz'],
    [{ at: '2026-02-30T00:00:00Z' }, 'SCHEDULE_RULE_INVALID', 'at'],
    [{ at: new Date(Number.NaN) }, 'SCHEDULE_RULE_INVALID', 'at'],
    [{ at: 1.5 }, 'SCHEDULE_RULE_INVALID', 'at'],
    [{ at: '2026-01-01T00:00:00Z', anchor: 0 }, 'SCHEDULE_OPTION_INVALID', 'anchor'],
  ])('%j → %s naming %s', (rule, code, field) => {
    const error = refusal(rule);
    expect(error).toMatchObject({ code, field });
    const named = String(field).replace(/^cron\./, '').replace(/\[\d+\]$/, '');
    expect(error.message).toContain(named === 'rule' ? 'rule' : named);
  });

  it('undefined options count as absent', () => {
    expect(compileRule({ cron: '0 9 * * *', tz: undefined, calendar: undefined }).rule).toEqual({ cron: '0 9 * * *', tz: 'UTC' });
  });

  it('normalizes the rule it keeps', () => {
    expect(compileRule({ cron: '  0  9 * *   MON ', tz: 'Asia/Seoul', clampDayOfMonth: false }).rule).toEqual({ cron: '0 9 * * MON', tz: 'Asia/Seoul' });
    expect(compileRule({ cron: '0 9 L * *', onHoliday: 'skip', businessDays: [5, 1, 1] }).rule).toEqual({
      cron: '0 9 L * *', tz: 'UTC', onHoliday: 'skip', businessDays: [1, 5],
    });
    expect(compileRule({ cron: '0 9 L * *', onHoliday: 'skip' }).rule).toMatchObject({ businessDays: [1, 2, 3, 4, 5] });
    expect(compileRule({ everyMs: 60_000 }).rule).toEqual({ everyMs: 60_000, anchor: '1970-01-01T00:00:00.000Z' });
    expect(compileRule({ at: '2026-03-08T09:00:00+09:00' }).rule).toEqual({ at: '2026-03-08T00:00:00.000Z' });
  });

  it('refuses bad next()/nextN() arguments', () => {
    const rule = compileRule({ cron: '0 9 * * *' });
    expect(() => rule.next(Number.NaN)).toThrow(expect.objectContaining({ code: 'SCHEDULE_OPTION_INVALID', details: { field: 'afterMs' } }));
    expect(() => rule.nextN(0, -1)).toThrow(expect.objectContaining({ code: 'SCHEDULE_OPTION_INVALID', details: { field: 'count' } }));
    expect(() => rule.nextN(0, 1.5)).toThrow(expect.objectContaining({ details: { field: 'count' } }));
  });
});
