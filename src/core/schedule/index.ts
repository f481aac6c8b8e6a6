/**
 * Schedule rules: cron (with seconds, L, W, #, DST policy, billing-day clamp, holiday calendars), fixed intervals
 * and one-off instants, compiled into pure functions of time. Semantics: docs/schedules-rules.md.
 */
export { compileRule, MIN_INTERVAL_MS, MAX_INTERVAL_MS } from './compile-rule.js';
export { validateCalendarDates } from './calendars.js';
export type { CalendarSet } from './calendars.js';
export { localParts } from './tz-offsets.js';
export { formatLocal } from './format-local.js';
export type { LocalParts } from './tz-offsets.js';
export { SEARCH_HORIZON_DAYS } from './cron-schedule.js';
export type { AtRule, CompiledRule, CronRule, IntervalRule, OnHoliday, ScheduleRule } from './types.js';
export { ruleInWords, durationWords } from './rule-words.js';
