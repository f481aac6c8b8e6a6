/**
 * Flows on SQLite (migration 007): what an insert adds (tags, dependencies), what the end of a job sets off in the
 * same transaction (released dependents, cancelled ones, a fallback job, the waiter's notification), batches, and
 * filtered selects with the bulk actions built on them.
 */
import { KairosError } from '../../core/errors.js';
import type { NewJob } from '../../core/job-options.js';
import { FINAL_STATES, type JobState } from '../../core/job-state.js';
import type { BatchRow, BulkResult, InsertResult, JobFilter, JobRow, StoreNotification } from '../driver.js';
import { toJobId } from '../ids.js';
import { prefixEnd } from '../job-filter.js';
import { STATE_CODE, STATE_NAME } from '../state-codes.js';
import { dependencyReason, endJobs } from './flow-end.js';
import { cancel, insertAll, replayQuiet } from './job-ops.js';
import type { Statements } from './statements.js';

type Notes = StoreNotification[];

/** Tags and dependencies of the jobs an insert created (or replaced), in the insert's transaction. */
export function insertExtras(s: Statements, jobs: readonly NewJob[], out: readonly InsertResult[], now: number): void {
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    const r = out[i]!;
    if (r.outcome === 'kept') continue;
    if (r.outcome === 'replaced') s.flow.tagsDelete.run({ id: r.id });
    if (job.tags !== null) s.flow.tagsInsert.run({ id: r.id });
    if (job.dependsOn != null && r.outcome === 'created') holdForDependencies(s, job, r, i, now);
  }
}

/** True when some job needs insertExtras. */
export function needsExtras(jobs: readonly NewJob[]): boolean {
  return jobs.some((j) => j.tags !== null || j.dependsOn != null);
}

function holdForDependencies(s: Statements, job: NewJob, r: InsertResult, index: number, now: number): void {
  const ids = job.dependsOn!;
  const policy = job.dependencyPolicy ?? 'cancel';
  const pending: number[] = [];
  let failed: { id: number; state: JobState } | null = null;
  for (const [k, id] of ids.entries()) {
    const dep = s.flow.dependencyState.get({ id }) as { id: number; state: number } | undefined;
    if (dep === undefined) {
      throw new KairosError('JOB_NOT_FOUND', `dependsOn[${k}]: job ${id} not found`, { details: { field: `dependsOn[${k}]`, index } });
    }
    const state = STATE_NAME[dep.state]!;
    if (state === 'completed') continue;
    if (FINAL_STATES.includes(state)) failed ??= { id, state };
    else pending.push(id);
  }
  const dependsOn = JSON.stringify(ids);
  if (failed !== null && policy === 'cancel') {
    s.flow.cancelAtInsert.run({ id: r.id, now, reason: dependencyReason(failed.id, failed.state), dependsOn, policy });
    r.state = 'cancelled';
    return;
  }
  if (pending.length === 0) {
    s.flow.recordDependencies.run({ id: r.id, dependsOn, policy });
    return;
  }
  for (const id of pending) {
    s.flow.markDependents.run({ id });
    s.flow.edgeInsert.run({ dependsOn: id, jobId: r.id });
  }
  s.flow.hold.run({ id: r.id, pending: pending.length, dependsOn, policy });
}

/** Ended jobs whose consequences were not written with their end (a deadline passed in the claim). */
export function resolveUnresolved(s: Statements, limit: number, now: number, notes: Notes): number {
  const ids = (s.flow.unresolved.all({ limit }) as { id: number }[]).map((r) => r.id);
  endJobs(s, ids, now, notes);
  return ids.length;
}

/** A batch: members, then the completion job held until every member has ended. */
export function createBatch(s: Statements, jobs: readonly NewJob[], completion: NewJob, now: number): { batchId: number; jobs: InsertResult[]; completionJobId: number } {
  const batchId = toJobId((s.flow.batchInsert.get({ total: jobs.length, now }) as { id: number }).id);
  const members = insertAll(s, jobs, now);
  insertExtras(s, jobs, members, now);
  const wrapped: NewJob = { ...completion, payload: `{"batchId":${batchId},"payload":${completion.payload}}` };
  const [done] = insertAll(s, [wrapped], now);
  insertExtras(s, [wrapped], [done!], now);
  const completionJobId = done!.id;
  for (const m of members) {
    s.flow.batchMarkMember.run({ id: m.id, batchId });
    s.flow.edgeInsert.run({ dependsOn: m.id, jobId: completionJobId });
  }
  s.flow.batchHoldCompletion.run({ id: completionJobId, batchId, pending: members.length });
  s.flow.batchSetCompletion.run({ id: batchId, jobId: completionJobId });
  return { batchId, jobs: members, completionJobId };
}

export function getBatch(s: Statements, id: number): BatchRow | null {
  const row = s.flow.batchGet.get({ id }) as Omit<BatchRow, 'counts'> | undefined;
  if (row === undefined) return null;
  const counts: BatchRow['counts'] = {};
  for (const c of s.flow.batchCounts.all({ id, completionJobId: row.completionJobId ?? 0 }) as { state: number; count: number }[]) {
    counts[STATE_NAME[c.state]!] = c.count;
  }
  return { ...row, counts };
}

const NO_CURSOR = Number.MAX_SAFE_INTEGER;

/** A page of jobs matching `filter`, newest first, read along the index the filter allows. */
export function selectJobs(s: Statements, filter: JobFilter, cursor: number | undefined, limit: number): JobRow[] {
  const states = filter.states;
  const params = {
    queue: filter.queue ?? null,
    stateMask: states === undefined ? null : states.reduce((m, st) => m | (1 << STATE_CODE[st]), 0),
    tag: filter.tag ?? null,
    keyPrefix: filter.keyPrefix ?? null,
    keyEnd: filter.keyPrefix === undefined ? null : prefixEnd(filter.keyPrefix),
    batchId: filter.batchId ?? null,
    createdFrom: filter.createdFrom ?? null, createdTo: filter.createdTo ?? null,
    runAtFrom: filter.runAtFrom ?? null, runAtTo: filter.runAtTo ?? null,
    finishedFrom: filter.finishedFrom ?? null, finishedTo: filter.finishedTo ?? null,
    cursor: cursor ?? NO_CURSOR, limit,
  };
  const stmt = filter.tag !== undefined ? s.flow.filterByTag
    : filter.keyPrefix !== undefined && filter.queue !== undefined ? s.flow.filterByKeyPrefix
      : filter.batchId !== undefined ? s.flow.filterByBatch
        : s.flow.filter;
  return stmt.all(params) as JobRow[];
}

/** `filter` narrowed to the states an action applies to; null when none is left. */
export function narrowStates(filter: JobFilter, allowed: readonly JobState[]): JobFilter | null {
  const states = (filter.states ?? allowed).filter((st) => allowed.includes(st));
  return states.length === 0 ? null : { ...filter, states };
}

function page(rows: readonly JobRow[], limit: number, changed: number, running: BulkResult['running'] = []): BulkResult {
  const last = rows[rows.length - 1];
  return { changed, running, nextCursor: rows.length === limit && last !== undefined ? last.id : null };
}

export function cancelMany(s: Statements, filter: JobFilter, cursor: number | undefined, limit: number, now: number, notes: Notes): BulkResult {
  const f = narrowStates(filter, ['scheduled', 'running']);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = selectJobs(s, f, cursor, limit);
  let changed = 0;
  const running: BulkResult['running'] = [];
  for (const row of rows) {
    const r = cancel(s, { id: row.id, now }, notes);
    if (r === null || !r.cancelled) continue;
    changed++;
    if (r.previousState === 'running' && r.owner !== null) running.push({ id: r.id, queue: r.queue, owner: r.owner });
  }
  return page(rows, limit, changed, running);
}

export function replayMany(s: Statements, filter: JobFilter, cursor: number | undefined, limit: number, now: number, notes: Notes): BulkResult {
  const f = narrowStates(filter, FINAL_STATES);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = selectJobs(s, f, cursor, limit);
  let changed = 0;
  for (const row of rows) {
    if (replayQuiet(s, { id: row.id, now })) {
      changed++;
      notes.push({ kind: 'job-available', queue: row.queue, runAt: now });
    }
  }
  return page(rows, limit, changed);
}

export function deleteMany(s: Statements, filter: JobFilter, cursor: number | undefined, limit: number): BulkResult {
  const f = narrowStates(filter, FINAL_STATES);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = selectJobs(s, f, cursor, limit);
  // A job whose end still has consequences to write stays until they are written.
  const ids = JSON.stringify(rows.filter((r) => r.finishedAt !== null && !hasPendingFlow(s, r.id)).map((r) => r.id));
  s.attempt.deleteByJobs.run({ ids });
  s.attempt.progressDeleteByJobs.run({ ids });
  s.attempt.logDeleteByJobs.run({ ids });
  s.flow.tagsDeleteMany.run({ ids });
  s.flow.batchDeleteByCompletion.run({ ids });
  const changed = s.job.deleteMany.run({ ids }).changes;
  return page(rows, limit, changed);
}

function hasPendingFlow(s: Statements, id: number): boolean {
  return s.flow.flowPending.get({ id }) !== undefined;
}
