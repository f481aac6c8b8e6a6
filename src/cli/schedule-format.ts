/**
 * Text forms of schedules for the `kairos schedules` commands: a rule in one cell, the schedule table, one schedule's
 * fields, its upcoming occurrences and its history.
 */
import type { ScheduleRule } from '../core/schedule/index.js';
import { formatLocal } from '../core/schedule/index.js';
import { type OccurrenceRecord, type PreviewEntry, type Schedule } from '../engine/schedules.js';
import { clip, formatTable, iso } from './output.js';

const EPOCH = '1970-01-01T00:00:00.000Z';

/** `cron 0 9 31 * * Asia/Seoul, clamped`, `every 60000ms`, `at 2030-01-01T00:00:00.000Z`. */
export function describeRule(rule: ScheduleRule): string {
  if ('cron' in rule) {
    const parts = [`cron ${rule.cron} ${rule.tz ?? 'UTC'}`];
    if (rule.clampDayOfMonth === true) parts.push('clamped');
    if (rule.calendar !== undefined) parts.push(`calendar ${rule.calendar}`);
    if (rule.onHoliday !== undefined) parts.push(rule.onHoliday);
    const days = rule.businessDays?.join(',');
    if (days !== undefined && days !== '1,2,3,4,5') parts.push(`business days ${days}`);
    return parts.join(', ');
  }
  if ('everyMs' in rule) {
    const anchor = rule.anchor === undefined ? EPOCH : new Date(rule.anchor).toISOString();
    return anchor === EPOCH ? `every ${rule.everyMs}ms` : `every ${rule.everyMs}ms, anchor ${anchor}`;
  }
  return `at ${new Date(rule.at).toISOString()}`;
}

/** The zone a rule's wall times are read in: its tz for cron, UTC otherwise (as the engine's preview does). */
export function ruleZone(rule: ScheduleRule): string {
  return 'cron' in rule ? (rule.tz ?? 'UTC') : 'UTC';
}

/** An instant in a zone, `2030-11-30T09:00:00+09:00`, or '-' for none. */
export function local(date: Date | null, tz: string): string {
  return date === null ? '-' : formatLocal(date.getTime(), tz);
}

/** The table of `schedules ls`. */
export function formatScheduleTable(schedules: readonly Schedule[]): string {
  const rows = schedules.map((s) => [
    s.id,
    s.queue,
    describeRule(s.rule),
    iso(s.nextAt),
    local(s.nextAt, ruleZone(s.rule)),
    s.paused ? 'yes' : 'no',
    s.maxRuns === null ? String(s.runs) : `${s.runs}/${s.maxRuns}`,
  ]);
  return formatTable(['ID', 'QUEUE', 'RULE', 'NEXT (UTC)', 'NEXT (LOCAL)', 'PAUSED', 'RUNS'], rows);
}

/** One schedule as labelled lines. */
export function describeSchedule(s: Schedule): string {
  const tz = ruleZone(s.rule);
  const ms = (n: number | null, what: string): string => (n === null ? '-' : `${n} ms${what}`);
  const last = s.lastOccurrenceAt === null ? '-' : `${iso(s.lastOccurrenceAt)}${s.lastJobId === null ? '' : `, job ${s.lastJobId} (${s.lastJobState ?? 'pruned'})`}`;
  const fields: [string, string][] = [
    ['id', s.id],
    ['queue', s.queue],
    ['rule', describeRule(s.rule)],
    ['paused', s.paused ? 'yes' : 'no'],
    ['next at', s.nextAt === null ? '- (ended)' : `${iso(s.nextAt)}  ${local(s.nextAt, tz)}`],
    ['next fires', iso(s.nextFireAt)],
    ['runs', s.maxRuns === null ? String(s.runs) : `${s.runs} of ${s.maxRuns}`],
    ['last occurrence', last],
    ['buffered', iso(s.bufferedAt)],
    ['payload', clip(JSON.stringify(s.payload), 200)],
    ['job options', s.jobOptions === null ? '-' : clip(JSON.stringify(s.jobOptions), 200)],
    ['misfire', `${s.misfire} (grace ${s.misfireGraceMs} ms${s.misfire === 'all' ? `, catch-up limit ${s.catchUpLimit}` : ''})`],
    ['overlap', s.overlap],
    ['deadline', ms(s.deadlineMs, ' after the fire time')],
    ['spread', s.spreadMs === 0 ? '-' : `${s.spreadMs} ms`],
    ['start at', iso(s.startAt)],
    ['end at', iso(s.endAt)],
    ['source', s.source],
    ['created', iso(s.createdAt)],
    ['updated', iso(s.updatedAt)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** Upcoming occurrences: the instant in UTC, in the rule's zone, and when the job is due (with the spread offset). */
export function formatPreview(entries: readonly PreviewEntry[]): string {
  if (entries.length === 0) return 'no further occurrences';
  return formatTable(['AT (UTC)', 'LOCAL', 'FIRES AT (UTC)'], entries.map((e) => [iso(e.at), `${e.local} ${e.tz}`, iso(e.fireAt)]));
}

/** A schedule's history, newest first. */
export function formatHistory(records: readonly OccurrenceRecord[]): string {
  if (records.length === 0) return 'history: none yet';
  const rows = records.map((r) => [iso(r.occurrenceAt), r.status, r.jobId === null ? '-' : String(r.jobId), r.jobState ?? (r.jobId === null ? '-' : 'pruned'), r.reason ?? '']);
  return `history (newest first):\n${formatTable(['OCCURRENCE', 'STATUS', 'JOB', 'JOB STATE', 'REASON'], rows)}`;
}
