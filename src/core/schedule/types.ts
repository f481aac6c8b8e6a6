/**
 * The public shapes of schedule rules and of a compiled rule. docs/schedules-rules.md gives their semantics.
 */

/** What happens to an occurrence that falls on a holiday or a non-business day. */
export type OnHoliday = 'skip' | 'next-business-day' | 'previous-business-day';

/** A cron rule, evaluated in the local wall time of `tz`. */
export interface CronRule {
  /** 5 fields (minute precision), 6 (leading seconds) or a nickname such as `@daily`. */
  cron: string;
  /** IANA time zone; default `'UTC'`. */
  tz?: string;
  /** A day of month past the month's end means its last day (31 → 30, 29 or 28). Default false. */
  clampDayOfMonth?: boolean;
  /** Name of a holiday calendar (a set of excluded local dates) in the CalendarSet given to compileRule. */
  calendar?: string;
  /** Turns on business-day logic: occurrences on holidays or non-business weekdays are skipped or moved. */
  onHoliday?: OnHoliday;
  /** ISO weekdays that are business days (1 = Monday … 7 = Sunday); default [1, 2, 3, 4, 5]; needs `onHoliday`. */
  businessDays?: number[];
}

/** A fixed interval in absolute time: fires at anchor + k·everyMs for every integer k. */
export interface IntervalRule {
  /** Interval in ms; an integer ≥ 1000. */
  everyMs: number;
  /** Any instant of the series (ISO 8601 with offset, Date or epoch ms); default the Unix epoch. */
  anchor?: string | Date | number;
}

/** A one-off rule: fires once at the instant given. */
export interface AtRule {
  /** ISO 8601 with an offset or `Z`, a Date, or epoch ms. */
  at: string | Date | number;
}

/** Any schedule rule. */
export type ScheduleRule = CronRule | IntervalRule | AtRule;

/** A validated rule that computes its occurrences. */
export interface CompiledRule {
  /** Normalized copy of the rule: defaults filled in, instants written as ISO 8601 UTC strings. */
  readonly rule: ScheduleRule;
  /** The first occurrence strictly after `afterMs` (epoch ms), or null when the rule never fires again. */
  next(afterMs: number): number | null;
  /** Up to `count` occurrences strictly after `afterMs`, strictly increasing. */
  nextN(afterMs: number, count: number): number[];
}
