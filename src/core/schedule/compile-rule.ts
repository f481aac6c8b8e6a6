/**
 * Validates a schedule rule given as untyped input (JSON from an API or a stored row), normalizes it and compiles it.
 * Every refusal is a KairosError whose message and `details.field` name the field at fault.
 */
import { KairosError } from '../errors.js';
import { lookUpCalendar } from './calendars.js';
import type { CalendarSet } from './calendars.js';
import { parseCron } from './cron-fields.js';
import type { CronFields } from './cron-fields.js';
import { CronSchedule } from './cron-schedule.js';
import { DayMatcher } from './day-matcher.js';
import { AtSchedule, IntervalSchedule } from './fixed-schedules.js';
import { HolidayPolicy } from './holiday-policy.js';
import { readInstant } from './instant-input.js';
import type { CompiledRule, CronRule, OnHoliday } from './types.js';
import { isValidTimeZone, timeZoneOffsets } from './tz-offsets.js';

/** The smallest interval: sub-second schedules belong in a loop, not in a durable store. */
export const MIN_INTERVAL_MS = 1_000;
/** The largest interval: 100 years of 366 days. */
export const MAX_INTERVAL_MS = 100 * 366 * 86_400_000;

const DEFAULT_BUSINESS_DAYS = [1, 2, 3, 4, 5];
const ON_HOLIDAY: readonly OnHoliday[] = ['skip', 'next-business-day', 'previous-business-day'];
const KEYS = {
  cron: ['cron', 'tz', 'clampDayOfMonth', 'calendar', 'onHoliday', 'businessDays'],
  everyMs: ['everyMs', 'anchor'],
  at: ['at'],
} as const;
type Kind = keyof typeof KEYS;

function ruleInvalid(field: string, message: string): KairosError {
  return new KairosError('SCHEDULE_RULE_INVALID', message, { details: { field } });
}

function optionInvalid(field: string, message: string): KairosError {
  return new KairosError('SCHEDULE_OPTION_INVALID', message, { details: { field } });
}

/** The defined (not undefined) own entries of a plain object, or a SCHEDULE_RULE_INVALID error. */
function definedEntries(rule: unknown): Map<string, unknown> {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw ruleInvalid('rule', `a schedule rule must be an object with cron, everyMs or at; got ${rule === null ? 'null' : typeof rule}`);
  }
  return new Map(Object.entries(rule).filter(([, value]) => value !== undefined));
}

function kindOf(entries: Map<string, unknown>): Kind {
  const kinds = (Object.keys(KEYS) as Kind[]).filter((kind) => entries.has(kind));
  if (kinds.length !== 1) {
    throw ruleInvalid('rule', `a schedule rule needs exactly one of cron, everyMs or at; got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
  }
  const kind = kinds[0] as Kind;
  const allowed: readonly string[] = KEYS[kind];
  for (const key of entries.keys()) {
    if (!allowed.includes(key)) {
      throw optionInvalid(key, `rule option '${key}' is not known for a ${kind} rule (allowed: ${allowed.join(', ')})`);
    }
  }
  return kind;
}

function readBusinessDays(value: unknown, onHoliday: OnHoliday | undefined): number[] {
  if (value === undefined) return DEFAULT_BUSINESS_DAYS;
  if (onHoliday === undefined) {
    throw optionInvalid('businessDays', 'businessDays has no effect without onHoliday; set onHoliday or drop businessDays');
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw optionInvalid('businessDays', 'businessDays must be a non-empty array of ISO weekdays (1 = Monday … 7 = Sunday)');
  }
  value.forEach((day: unknown, index) => {
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7) {
      throw optionInvalid(`businessDays[${index}]`, `businessDays[${index}] must be an ISO weekday 1–7 (1 = Monday); got ${JSON.stringify(day)}`);
    }
  });
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

interface HolidayOptions {
  calendar?: string;
  onHoliday?: OnHoliday;
  businessDays: number[];
  excluded: Set<number>;
}

function readHolidayOptions(entries: Map<string, unknown>, calendars: CalendarSet | undefined): HolidayOptions {
  const onHoliday = entries.get('onHoliday');
  if (onHoliday !== undefined && !ON_HOLIDAY.includes(onHoliday as OnHoliday)) {
    throw optionInvalid('onHoliday', `onHoliday must be one of ${ON_HOLIDAY.join(', ')}; got ${JSON.stringify(onHoliday)}`);
  }
  const businessDays = readBusinessDays(entries.get('businessDays'), onHoliday as OnHoliday | undefined);
  const calendar = entries.get('calendar');
  if (calendar !== undefined && (typeof calendar !== 'string' || calendar === '')) {
    throw optionInvalid('calendar', `calendar must be a calendar name; got ${JSON.stringify(calendar)}`);
  }
  const excluded = calendar === undefined ? new Set<number>() : lookUpCalendar(calendar, calendars);
  return { calendar, onHoliday: onHoliday as OnHoliday | undefined, businessDays, excluded };
}

function readCronFields(entries: Map<string, unknown>): { cron: string; fields: CronFields; tz: string; clamp: boolean } {
  const cron = entries.get('cron');
  if (typeof cron !== 'string') throw ruleInvalid('cron', `cron must be a string; got ${typeof cron}`);
  const fields = parseCron(cron);
  const tz = entries.get('tz') ?? 'UTC';
  if (typeof tz !== 'string' || !isValidTimeZone(tz)) {
    throw ruleInvalid('tz', `tz must be an IANA time zone name known to Intl (e.g. 'Asia/Seoul'); got ${JSON.stringify(tz)}`);
  }
  const clamp = entries.get('clampDayOfMonth') ?? false;
  if (typeof clamp !== 'boolean') throw optionInvalid('clampDayOfMonth', `clampDayOfMonth must be a boolean; got ${typeof clamp}`);
  if (clamp && !fields.dayOfMonthNumeric) {
    throw optionInvalid('clampDayOfMonth', `clampDayOfMonth needs a numeric day-of-month field (such as 31); cron '${cron}' has none`);
  }
  if (!new DayMatcher(fields, clamp).canEverMatch()) {
    const hint = !clamp && fields.daysOfMonth.lastIndexOf(true) > 28 ? '; set clampDayOfMonth: true to fire on the last day of shorter months' : '';
    throw new KairosError('SCHEDULE_RULE_IMPOSSIBLE', `cron '${cron}' can never fire: no date of any year matches its `
      + `day-of-month, month and day-of-week fields${hint}`, { details: { field: 'cron' } });
  }
  return { cron: cron.trim().replace(/\s+/g, ' '), fields, tz, clamp };
}

function compileCron(entries: Map<string, unknown>, calendars: CalendarSet | undefined): CompiledRule {
  const { cron, fields, tz, clamp } = readCronFields(entries);
  const holidays = readHolidayOptions(entries, calendars);
  const rule: CronRule = { cron, tz };
  if (clamp) rule.clampDayOfMonth = true;
  if (holidays.calendar !== undefined) rule.calendar = holidays.calendar;
  if (holidays.onHoliday !== undefined) {
    rule.onHoliday = holidays.onHoliday;
    rule.businessDays = holidays.businessDays;
  }
  const policy = new HolidayPolicy(holidays.onHoliday ?? 'calendar-only', holidays.excluded, holidays.businessDays);
  return new CronSchedule(rule, fields, timeZoneOffsets(tz), policy);
}

function compileInterval(entries: Map<string, unknown>): CompiledRule {
  const everyMs = entries.get('everyMs');
  if (typeof everyMs !== 'number' || !Number.isInteger(everyMs) || everyMs < MIN_INTERVAL_MS || everyMs > MAX_INTERVAL_MS) {
    throw ruleInvalid('everyMs', `everyMs must be an integer number of ms from ${MIN_INTERVAL_MS} (1 s) to ${MAX_INTERVAL_MS} `
      + `(100 years); got ${JSON.stringify(everyMs) ?? String(everyMs)}`);
  }
  const anchorMs = entries.has('anchor') ? readInstant(entries.get('anchor'), 'anchor', 'SCHEDULE_OPTION_INVALID') : 0;
  return new IntervalSchedule({ everyMs, anchor: new Date(anchorMs).toISOString() }, anchorMs);
}

/**
 * Validates `rule` and compiles it. Holiday calendars named by the rule are read from `calendars` now (recompile
 * after a calendar changes). Throws SCHEDULE_RULE_INVALID, SCHEDULE_OPTION_INVALID, SCHEDULE_RULE_IMPOSSIBLE,
 * CALENDAR_NOT_FOUND or CALENDAR_INVALID, each naming the field in `details.field`.
 */
export function compileRule(rule: unknown, calendars?: CalendarSet): CompiledRule {
  const entries = definedEntries(rule);
  switch (kindOf(entries)) {
    case 'cron':
      return compileCron(entries, calendars);
    case 'everyMs':
      return compileInterval(entries);
    case 'at': {
      const atMs = readInstant(entries.get('at'), 'at', 'SCHEDULE_RULE_INVALID');
      return new AtSchedule({ at: new Date(atMs).toISOString() }, atMs);
    }
  }
}
