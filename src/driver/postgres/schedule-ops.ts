/** The schedule operations of the PostgreSQL driver: compare-and-set upsert and the fenced application of plans. */
import type { NewJob } from '../../core/job-options.js';
import type { MaterializePlan, MaterializeResult, SchedulePlanWrite, ScheduleRow, ScheduleWrite } from '../driver.js';
import { toJobId } from '../ids.js';
import type { Session } from './pg-session.js';
import type { occurrenceSql } from './queries/occurrences.js';
import type { scheduleSql } from './queries/schedules.js';
import type { flowSql } from './queries/flows.js';

type ScheduleSql = ReturnType<typeof scheduleSql>;
type OccurrenceSql = ReturnType<typeof occurrenceSql>;

/** A schedule row as read: ids through toJobId. */
export function toScheduleRow(raw: ScheduleRow | undefined): ScheduleRow | null {
  if (raw === undefined) return null;
  return raw.lastJobId === null ? raw : { ...raw, lastJobId: toJobId(raw.lastJobId) };
}

/** Compare-and-set upsert: create when `expectedVersion` is null, else update only at that version; null when it moved. */
export async function upsertSchedule(
  s: Session,
  sql: ScheduleSql,
  w: ScheduleWrite,
  expectedVersion: number | null,
  now: number | null,
): Promise<{ row: ScheduleRow; created: boolean } | null> {
  const values = [
    w.id, w.queue, w.rule, w.payload, w.jobOptions, w.misfire, w.catchUpLimit, w.misfireGraceMs, w.overlap, w.deadlineMs, w.spreadMs, w.startAt,
    w.endAt, w.maxRuns, w.paused, w.nextAt, w.nextFireAt, w.source, now,
  ];
  const rows = expectedVersion === null
    ? await s.run<ScheduleRow>(sql.insert, values)
    : await s.run<ScheduleRow>(sql.updateDefinition, [...values, expectedVersion]);
  const row = toScheduleRow(rows[0]);
  if (row === null) return null;
  s.notify({ kind: 'schedule-changed' });
  return { row, created: expectedVersion === null };
}

function jobValues(job: NewJob): unknown[] {
  return [job.queue, job.payload, job.priority, job.runAt, job.maxAttempts, job.backoff, job.timeoutMs, job.deadline, job.tags];
}

/** Writes one schedule's plan (its row is locked at `version`); see Driver.scheduleApplyPlans. */
async function applyPlan(
  s: Session,
  sql: { schedule: ScheduleSql; occurrence: OccurrenceSql },
  w: SchedulePlanWrite,
  queueOf: (queue: string, runAt: number) => void,
  now: number | null,
): Promise<MaterializeResult> {
  const { scheduleId, plan } = w;
  const result: MaterializeResult = { scheduleId, applied: true, jobs: [], recorded: [] };
  let lastJobId: number | null = null;
  let lastOccurrenceAt: number | null = null;
  let runsAdded = 0;
  if (plan.released !== null) {
    const r = plan.released;
    const [made] = await s.run<{ id: number }>(sql.occurrence.release, [scheduleId, r.at, r.fireAt, ...jobValues(r.job), now]);
    if (made !== undefined) {
      lastJobId = toJobId(made.id);
      result.jobs.push({ id: lastJobId, runAt: r.job.runAt, occurrenceAt: r.at });
      queueOf(r.job.queue, r.job.runAt);
      runsAdded++;
    }
  }
  if (plan.occurrences.length > 0) {
    const recorded = await insertOccurrences(s, sql.occurrence, scheduleId, plan, now);
    for (const [k, o] of plan.occurrences.entries()) {
      const row = recorded.get(k + 1);
      const hasJob = o.status === 'enqueued' && o.job !== null;
      if (hasJob && row === undefined) continue; // recorded by another pass: no second job
      lastOccurrenceAt = o.at;
      if (row === undefined) continue;
      if (row.jobId !== null) {
        lastJobId = toJobId(row.jobId);
        result.jobs.push({ id: lastJobId, runAt: row.runAt, occurrenceAt: o.at });
        queueOf(row.queue, row.runAt);
        runsAdded++;
      } else {
        result.recorded.push({ at: o.at, status: o.status });
      }
    }
  }
  await s.run(sql.schedule.advance, [scheduleId, w.version, plan.nextAt, plan.nextFireAt, plan.bufferedAt, runsAdded, lastOccurrenceAt, lastJobId, now]);
  return result;
}

type RecordedRow = { ord: number; status: string; jobId: number | null; queue: string; runAt: number };

/** One statement for all occurrences of a plan; returns the rows recorded now, by 1-based position in the plan. */
async function insertOccurrences(s: Session, sql: OccurrenceSql, scheduleId: string, plan: MaterializePlan, now: number | null): Promise<Map<number, RecordedRow>> {
  const os = plan.occurrences;
  const job = (k: number) => (os[k]!.status === 'enqueued' ? os[k]!.job : null);
  const col = <T>(f: (j: NewJob) => T) => os.map((_, k) => { const j = job(k); return j === null ? null : f(j); });
  const rows = await s.run<RecordedRow>(sql.insertMany, [
    scheduleId, os.map((o) => o.at), os.map((o) => o.fireAt), os.map((o) => o.status), os.map((o) => o.reason), os.map((_, k) => job(k) !== null),
    col((j) => j.queue), col((j) => j.payload), col((j) => j.priority), col((j) => j.runAt), col((j) => j.maxAttempts), col((j) => j.backoff),
    col((j) => j.timeoutMs), col((j) => j.deadline), col((j) => j.tags), now,
  ]);
  return new Map(rows.map((r) => [r.ord, r]));
}

/**
 * Writes each plan whose schedule is still at the version it was planned from; the schedules are locked first, in id
 * order. Created jobs are announced.
 */
function hasTags(w: SchedulePlanWrite): boolean {
  return (w.plan.released?.job.tags ?? null) !== null || w.plan.occurrences.some((o) => (o.job?.tags ?? null) !== null);
}

export async function applyPlans(
  s: Session,
  sql: { schedule: ScheduleSql; occurrence: OccurrenceSql; flow?: ReturnType<typeof flowSql> },
  plans: readonly SchedulePlanWrite[],
  now: number | null,
): Promise<MaterializeResult[]> {
  const ids = [...new Set(plans.map((p) => p.scheduleId))];
  const locked = await s.run<{ id: string; version: number }>(sql.schedule.lockVersions, [ids]);
  const versions = new Map(locked.map((r) => [r.id, r.version]));
  const earliest = new Map<string, number>();
  const queueOf = (queue: string, runAt: number) => {
    if (!(runAt >= (earliest.get(queue) ?? Infinity))) earliest.set(queue, runAt);
  };
  const results: MaterializeResult[] = [];
  for (const w of plans) {
    if (versions.get(w.scheduleId) !== w.version) {
      results.push({ scheduleId: w.scheduleId, applied: false, jobs: [], recorded: [] });
      continue;
    }
    results.push(await applyPlan(s, sql, w, queueOf, now));
    versions.set(w.scheduleId, w.version + 1);
  }
  // Tag rows (migration 007) of the jobs made, so tag filters find schedule jobs too.
  if (sql.flow !== undefined && plans.some((p) => hasTags(p))) {
    const made = results.flatMap((r) => r.jobs.map((j) => j.id));
    if (made.length > 0) await s.run(sql.flow.tagsInsert, [made]);
  }
  for (const [queue, runAt] of earliest) s.notify({ kind: 'job-available', queue, runAt });
  return results;
}
