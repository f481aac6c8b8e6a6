/** The schedule, occurrence and calendar operations of the SQLite driver, as plain functions over prepared statements. */
import type { MaterializePlan, MaterializeResult, SchedulePlanWrite, ScheduleRow, ScheduleWrite } from '../driver.js';
import { flowParams, queueLimiter } from './limiter-ops.js';
import { toJobId } from '../ids.js';
import type { NewJob } from '../../core/job-options.js';
import { SCHEDULE_COLUMN_NAMES } from './queries/schedules.js';
import type { Statements } from './statements.js';

type RawSchedule = Omit<ScheduleRow, 'paused'> & { paused: number };

/** SQLite has no boolean: paused is stored as 0/1. */
export function toScheduleRow(raw: RawSchedule | undefined): ScheduleRow | null {
  return raw === undefined ? null : { ...raw, paused: raw.paused === 1 };
}

type RawScheduleArray = unknown[] & { length: typeof SCHEDULE_COLUMN_NAMES.length };

/** Maps a raw-mode schedule row (columns in SCHEDULE_COLUMN_NAMES order) to a ScheduleRow. */
function fromRawArray(r: RawScheduleArray): ScheduleRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < SCHEDULE_COLUMN_NAMES.length; i++) row[SCHEDULE_COLUMN_NAMES[i]!] = r[i];
  row.paused = r[15] === 1;
  return row as unknown as ScheduleRow;
}

/** Compare-and-set upsert: create when `expectedVersion` is null, else update only at that version; null when it moved. */
export function upsertSchedule(s: Statements, w: ScheduleWrite, expectedVersion: number | null, now: number): { row: ScheduleRow; created: boolean } | null {
  const params = { ...w, paused: w.paused ? 1 : 0, now };
  const changed = expectedVersion === null
    ? s.schedule.insert.run(params).changes
    : s.schedule.updateDefinition.run({ ...params, expectedVersion }).changes;
  if (changed === 0) return null;
  return { row: toScheduleRow(s.schedule.get.get({ id: w.id }) as RawSchedule)!, created: expectedVersion === null };
}

function insertJob(s: Statements, job: NewJob, now: number): number {
  const id = toJobId(s.job.insert.run({
    queue: job.queue, payload: job.payload, priority: job.priority, runAt: job.runAt, maxAttempts: job.maxAttempts, backoff: job.backoff,
    timeoutMs: job.timeoutMs, deadline: job.deadline, tags: job.tags, now, scheduleId: job.scheduleId ?? null, occurrenceAt: job.occurrenceAt ?? null,
    ...flowParams(job, queueLimiter(s, job.queue)),
  }).lastInsertRowid);
  // Tag rows (migration 007), so tag filters find schedule jobs too.
  if (job.tags !== null) s.flow.tagsInsert.run({ id });
  return id;
}

/** Writes one schedule's plan; see Driver.scheduleMaterializeDue. */
function applyPlan(s: Statements, scheduleId: string, version: number, plan: MaterializePlan, now: number): MaterializeResult {
  const result: MaterializeResult = { scheduleId, applied: true, jobs: [], recorded: [] };
  const row = { id: scheduleId };
  let lastJobId: number | null = null;
  let lastOccurrenceAt: number | null = null;
  let runsAdded = 0;
  if (plan.released !== null) {
    const id = insertJob(s, plan.released.job, now);
    if (s.schedule.occurrenceRelease.run({ scheduleId: row.id, occurrenceAt: plan.released.at, jobId: id, fireAt: plan.released.fireAt }).changes === 1) {
      result.jobs.push({ id, runAt: plan.released.job.runAt, occurrenceAt: plan.released.at });
      lastJobId = id;
      runsAdded++;
    } else {
      s.job.deleteOne.run({ id });
      s.flow.tagsDelete.run({ id });
    }
  }
  for (const o of plan.occurrences) {
    const base = { scheduleId: row.id, occurrenceAt: o.at, fireAt: o.fireAt, status: o.status, reason: o.reason, now };
    if (o.status === 'enqueued' && o.job !== null) {
      const id = insertJob(s, o.job, now);
      // The occurrence key decides: if another pass recorded this occurrence first, the job just made is undone.
      if (s.schedule.occurrenceInsert.run({ ...base, jobId: id }).changes === 0) {
        s.job.deleteOne.run({ id });
        s.flow.tagsDelete.run({ id });
        continue;
      }
      result.jobs.push({ id, runAt: o.job.runAt, occurrenceAt: o.at });
      lastJobId = id;
      runsAdded++;
    } else if (s.schedule.occurrenceInsert.run({ ...base, jobId: null }).changes === 1) {
      result.recorded.push({ at: o.at, status: o.status });
    }
    lastOccurrenceAt = o.at;
  }
  s.schedule.advance.run({
    id: row.id, version, nextAt: plan.nextAt, nextFireAt: plan.nextFireAt, bufferedAt: plan.bufferedAt, runsAdded, lastOccurrenceAt, lastJobId, now,
  });
  return result;
}

/** Due schedules and schedules whose buffered occurrence may go out now, at most `limit` of each. */
export function listDue(s: Statements, p: { now: number; limit: number }): ScheduleRow[] {
  const rows = (s.schedule.due.all(p) as RawScheduleArray[]).map(fromRawArray);
  const seen = new Set(rows.map((r) => r.id));
  for (const raw of s.schedule.buffered.all({ limit: p.limit }) as RawScheduleArray[]) {
    const row = fromRawArray(raw);
    if (!seen.has(row.id)) rows.push(row);
  }
  return rows;
}

/** Writes each plan whose schedule is still at the version it was planned from. Runs inside one IMMEDIATE transaction. */
export function applyPlans(s: Statements, plans: readonly SchedulePlanWrite[], now: number): MaterializeResult[] {
  const results: MaterializeResult[] = [];
  for (const { scheduleId, version, plan } of plans) {
    const current = s.schedule.version.get({ id: scheduleId }) as { version: number } | undefined;
    if (current?.version !== version) {
      results.push({ scheduleId, applied: false, jobs: [], recorded: [] });
      continue;
    }
    results.push(applyPlan(s, scheduleId, version, plan, now));
  }
  return results;
}
