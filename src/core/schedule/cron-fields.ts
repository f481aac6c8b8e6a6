/**
 * Parses a cron expression into per-field sets. croner parses each numeric field (names, ranges, steps, lists,
 * `#`); Kairos handles `L`, `LW`, `L-n`, `nW` and `5L` itself, because croner 9 lacks `W` and reads `5L` as `5`.
 */
import { CronPattern } from 'croner';
import { KairosError } from '../errors.js';

/** A parsed cron expression. Boolean arrays are indexed by value (`months[1]` is January). */
export interface CronFields {
  readonly seconds: readonly boolean[];
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  /** Numeric days of month, index 1–31. */
  readonly daysOfMonth: readonly boolean[];
  /** `L`: the last day of the month. */
  readonly lastDay: boolean;
  /** `L-n`: n days before the last day. */
  readonly lastDayOffsets: readonly number[];
  /** `LW`: the last weekday (Mon–Fri) of the month. */
  readonly lastWeekday: boolean;
  /** `nW`: the weekday (Mon–Fri) nearest to day n, inside the same month. */
  readonly nearestWeekdays: readonly number[];
  /** Month index 1–12. */
  readonly months: readonly boolean[];
  /**
   * Day-of-week masks by weekday, 0 = Sunday … 6 = Saturday: bit k (k = 0–4) set means "the (k+1)th such weekday of
   * the month", bit 5 means "the last one"; 63 means every one.
   */
  readonly weekdays: readonly number[];
  /** False when the day-of-month field starts with `*` (or is `?`): Vixie cron then ANDs the two day fields. */
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
  /** True when the day-of-month field holds a number (plain, range, step or `nW`), not just `*`, `L` or `LW`. */
  readonly dayOfMonthNumeric: boolean;
}

const FIELD_NAMES = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
type FieldName = (typeof FIELD_NAMES)[number];

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function invalid(field: string, message: string, cause?: unknown): KairosError {
  return new KairosError('SCHEDULE_RULE_INVALID', message, { details: { field }, cause });
}

/** Parse one field through croner, placing it in its slot of an otherwise all-`*` pattern. */
function parseWithCroner(name: FieldName, text: string): CronPattern {
  const parts = ['*', '*', '*', '*', '*', '*'];
  parts[FIELD_NAMES.indexOf(name)] = text;
  try {
    return new CronPattern(parts.join(' '));
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    throw invalid(`cron.${name}`, `cron field ${name} '${text}' is invalid: ${reason}`, error);
  }
}

function toFlags(values: readonly number[], offset: number, size: number): boolean[] {
  const flags = new Array<boolean>(size).fill(false);
  values.forEach((value, index) => {
    if (value !== 0) flags[index + offset] = true;
  });
  return flags;
}

interface DayOfMonthParts {
  numeric: string[];
  lastDay: boolean;
  lastDayOffsets: number[];
  lastWeekday: boolean;
  nearestWeekdays: number[];
}

function splitDayOfMonth(text: string): DayOfMonthParts {
  const parts: DayOfMonthParts = { numeric: [], lastDay: false, lastDayOffsets: [], lastWeekday: false, nearestWeekdays: [] };
  for (const token of text.split(',')) {
    const upper = token.toUpperCase();
    const lastOffset = /^L-(\d{1,2})$/.exec(upper);
    const nearest = /^(\d{1,2})W$/.exec(upper);
    if (upper === 'L') parts.lastDay = true;
    else if (upper === 'LW') parts.lastWeekday = true;
    else if (lastOffset !== null) {
      const n = Number(lastOffset[1]);
      if (n < 1 || n > 30) throw invalid('cron.dayOfMonth', `cron field dayOfMonth '${text}': L-${n} must be L-1 … L-30`);
      parts.lastDayOffsets.push(n);
    } else if (nearest !== null) {
      const n = Number(nearest[1]);
      if (n < 1 || n > 31) throw invalid('cron.dayOfMonth', `cron field dayOfMonth '${text}': ${n}W must name a day 1–31`);
      parts.nearestWeekdays.push(n);
    } else if (/[LW]/.test(upper)) {
      throw invalid('cron.dayOfMonth', `cron field dayOfMonth '${text}': '${token}' is not L, LW, L-n or nW`);
    } else parts.numeric.push(token);
  }
  return parts;
}

function splitFields(cron: string): string[] {
  const trimmed = cron.trim().replace(/\s+/g, ' ');
  if (trimmed.startsWith('@')) {
    const expanded = NICKNAMES[trimmed.toLowerCase()];
    if (expanded === undefined) {
      throw invalid('cron', `cron '${cron}' is not a known nickname (${Object.keys(NICKNAMES).join(', ')})`);
    }
    return ['0', ...expanded.split(' ')];
  }
  const fields = trimmed === '' ? [] : trimmed.split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    throw invalid('cron', `cron '${cron}' has ${fields.length} fields; expected 5 (minute hour day-of-month month `
      + 'day-of-week) or 6 (a leading seconds field)');
  }
  return fields.length === 5 ? ['0', ...fields] : fields;
}

/** Parse a cron expression (5 fields, 6 with leading seconds, or an `@daily`-style nickname). */
export function parseCron(cron: string): CronFields {
  const fields = splitFields(cron);
  fields.forEach((field, index) => {
    const name = FIELD_NAMES[index] as FieldName;
    if (field === '?' && (name === 'dayOfMonth' || name === 'dayOfWeek')) fields[index] = '*';
    else if (field.includes('?')) throw invalid(`cron.${name}`, `cron field ${name} '${field}': '?' is only allowed alone in the day fields`);
  });
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string, string];
  const dom = splitDayOfMonth(dayOfMonth);
  if (dom.numeric.some((token) => token === '')) {
    throw invalid('cron.dayOfMonth', `cron field dayOfMonth '${dayOfMonth}' has an empty list entry`);
  }
  // croner writes "last Friday" as 5#L; accept the common 5L / FRIL spelling.
  const dowText = dayOfWeek.split(',').map((token) => token.replace(/^([0-7]|[A-Za-z]{3})L$/i, '$1#L')).join(',');
  const days = dom.numeric.length > 0 ? toFlags(parseWithCroner('dayOfMonth', dom.numeric.join(',')).day, 1, 32) : new Array<boolean>(32).fill(false);
  return {
    seconds: toFlags(parseWithCroner('second', second).second, 0, 60),
    minutes: toFlags(parseWithCroner('minute', minute).minute, 0, 60),
    hours: toFlags(parseWithCroner('hour', hour).hour, 0, 24),
    daysOfMonth: days,
    lastDay: dom.lastDay,
    lastDayOffsets: dom.lastDayOffsets,
    lastWeekday: dom.lastWeekday,
    nearestWeekdays: dom.nearestWeekdays,
    months: toFlags(parseWithCroner('month', month).month, 1, 13),
    weekdays: [...parseWithCroner('dayOfWeek', dowText).dayOfWeek],
    dayOfMonthRestricted: !dayOfMonth.startsWith('*'),
    dayOfWeekRestricted: !dayOfWeek.startsWith('*'),
    dayOfMonthNumeric: dom.numeric.some((token) => token !== '*') || dom.nearestWeekdays.length > 0,
  };
}
