/** The schedule, occurrence and calendar operations of the SQLite driver, as plain functions over prepared statements. */
import type { MaterializePlan, MaterializeResult, ScheduleRow, ScheduleWrite } from '../driver.js';
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

export function upsertSchedule(s: Statements, w: ScheduleWrite, now: number): { row: ScheduleRow; created: boolean } {
  const existed = s.schedule.get.get({ id: w.id }) !== undefined;
  s.schedule.upsert.run({ ...w, paused: w.paused ? 1 : 0, now });
  return { row: toScheduleRow(s.schedule.get.get({ id: w.id }) as RawSchedule)!, created: !existed };
}

function insertJob(s: Statements, job: NewJob, now: number): number {
  return Number(s.job.insert.run({
    queue: job.queue, payload: job.payload, priority: job.priority, runAt: job.runAt, maxAttempts: job.maxAttempts, backoff: job.backoff,
    timeoutMs: job.timeoutMs, deadline: job.deadline, tags: job.tags, now, scheduleId: job.scheduleId ?? null, occurrenceAt: job.occurrenceAt ?? null,
  }).lastInsertRowid);
}

/** Writes one schedule's plan; see Driver.scheduleMaterializeDue. */
function applyPlan(s: Statements, row: ScheduleRow, plan: MaterializePlan, now: number): MaterializeResult {
  const result: MaterializeResult = { scheduleId: row.id, queue: row.queue, jobs: [], recorded: [] };
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
    }
  }
  for (const o of plan.occurrences) {
    const base = { scheduleId: row.id, occurrenceAt: o.at, fireAt: o.fireAt, status: o.status, reason: o.reason, now };
    if (o.status === 'enqueued' && o.job !== null) {
      const id = insertJob(s, o.job, now);
      // The occurrence key decides: if another pass recorded this occurrence first, the job just made is undone.
      if (s.schedule.occurrenceInsert.run({ ...base, jobId: id }).changes === 0) {
        s.job.deleteOne.run({ id });
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
    id: row.id, nextAt: plan.nextAt, nextFireAt: plan.nextFireAt, bufferedAt: plan.bufferedAt, runsAdded, lastOccurrenceAt, lastJobId, now,
  });
  return result;
}

/** Reads due and released-buffer schedules, plans each, writes the plans. Runs inside one IMMEDIATE transaction. */
export function materializeDue(
  s: Statements,
  p: { now: number; limit: number; plan: (row: ScheduleRow) => MaterializePlan | null },
): MaterializeResult[] {
  const rows = (s.schedule.due.all({ now: p.now, limit: p.limit }) as RawScheduleArray[]).map(fromRawArray);
  const seen = new Set(rows.map((r) => r.id));
  for (const raw of s.schedule.buffered.all({ limit: p.limit }) as RawScheduleArray[]) {
    const row = fromRawArray(raw);
    if (!seen.has(row.id)) rows.push(row);
  }
  const results: MaterializeResult[] = [];
  for (const row of rows) {
    const plan = p.plan(row);
    if (plan !== null) results.push(applyPlan(s, row, plan, p.now));
  }
  return results;
}
