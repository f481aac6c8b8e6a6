/**
 * Flows on PostgreSQL (migration 007): what an insert adds (tags, dependencies), what the end of a job sets off in
 * the same transaction (released dependents, cancelled ones, a fallback job, the waiter's notification), batches,
 * and filtered selects with the bulk actions built on them.
 */
import { KairosError } from '../../core/errors.js';
import type { NewJob } from '../../core/job-options.js';
import { FINAL_STATES, type JobState } from '../../core/job-state.js';
import type { BatchRow, BulkResult, InsertResult, JobFilter, JobRow } from '../driver.js';
import { toJobId } from '../ids.js';
import { prefixEnd } from '../job-filter.js';
import type { Session } from './pg-session.js';
import type { flowSql } from './queries/flows.js';

type FlowSql = ReturnType<typeof flowSql>;
type Tx = Pick<Session, 'run' | 'notify'>;

/** True when some job needs insertExtras (and so the insert needs a transaction). */
export function needsExtras(jobs: readonly NewJob[]): boolean {
  return jobs.some((j) => j.tags !== null || j.dependsOn != null);
}

/** Tags and dependencies of the jobs an insert created (or replaced), in the insert's transaction. */
export async function insertExtras(s: Tx, sql: FlowSql, jobs: readonly NewJob[], out: readonly InsertResult[], now: number | null): Promise<void> {
  const tagged: number[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const r = out[i]!;
    if (r.outcome !== 'kept' && jobs[i]!.tags !== null) tagged.push(r.id);
  }
  const replaced = out.filter((r) => r.outcome === 'replaced').map((r) => r.id);
  if (replaced.length > 0) await s.run(sql.tagsDelete, [replaced]);
  if (tagged.length > 0) await s.run(sql.tagsInsert, [tagged]);
  for (let i = 0; i < jobs.length; i++) {
    if (jobs[i]!.dependsOn != null && out[i]!.outcome === 'created') await holdForDependencies(s, sql, jobs[i]!, out[i]!, i, now);
  }
}

async function holdForDependencies(s: Tx, sql: FlowSql, job: NewJob, r: InsertResult, index: number, now: number | null): Promise<void> {
  const ids = job.dependsOn!;
  const policy = job.dependencyPolicy ?? 'cancel';
  // Locked: a dependency ending now either ends before this read (and is seen ended) or waits for this commit (and
  // then finds the edge written here).
  const rows = await s.run<{ id: number; state: JobState }>(sql.lockDependencies, [ids]);
  const byId = new Map(rows.map((d) => [toJobId(d.id), d.state]));
  const pending: number[] = [];
  let failed: { id: number; state: JobState } | null = null;
  for (const [k, id] of ids.entries()) {
    const state = byId.get(id);
    if (state === undefined) throw new KairosError('JOB_NOT_FOUND', `dependsOn[${k}]: job ${id} not found`, { details: { field: `dependsOn[${k}]`, index } });
    if (state === 'completed') continue;
    if (FINAL_STATES.includes(state)) failed ??= { id, state };
    else pending.push(id);
  }
  const dependsOn = JSON.stringify(ids);
  if (failed !== null && policy === 'cancel') {
    await s.run(sql.cancelAtInsert, [r.id, now, dependencyReason(failed.id, failed.state), dependsOn, policy]);
    r.state = 'cancelled';
    return;
  }
  if (pending.length === 0) {
    await s.run(sql.recordDependencies, [r.id, dependsOn, policy]);
    return;
  }
  await s.run(sql.markDependents, [pending]);
  await s.run(sql.edgesInsert, [pending, r.id]);
  await s.run(sql.hold, [r.id, pending.length, dependsOn, policy]);
}

/** The lastError of a job cancelled because a dependency did not complete. */
function dependencyReason(id: number, state: string): string {
  return JSON.stringify({ name: 'DependencyFailed', message: `dependency job ${id} ended ${state}` });
}

/**
 * Writes what the end of `ids` sets off, in the caller's transaction: waiters are told, dependents counted down
 * (released at the last) or cancelled by policy, and cancelled dependents' own ends followed in turn.
 */
export async function endJobs(s: Tx, sql: FlowSql, ids: readonly number[], now: number | null): Promise<void> {
  let frontier = ids;
  while (frontier.length > 0) {
    const taken = await s.run<{ id: number; queue: string; state: JobState; flow: number }>(sql.take, [frontier]);
    const ended = new Map<number, JobState>();
    for (const t of taken) {
      const id = toJobId(t.id);
      if ((t.flow & 2) !== 0) s.notify({ kind: 'job-finished', id, queue: t.queue, state: t.state });
      if ((t.flow & 1) !== 0) ended.set(id, t.state);
    }
    if (ended.size === 0) return;
    const edges = await s.run<{ dependsOn: number; jobId: number }>(sql.edgesTake, [[...ended.keys()]]);
    const per = new Map<number, { ended: number; bad: number; reason: string | null }>();
    for (const e of edges) {
      const d = toJobId(e.jobId);
      const state = ended.get(toJobId(e.dependsOn))!;
      const entry = per.get(d) ?? { ended: 0, bad: 0, reason: null };
      entry.ended++;
      if (state !== 'completed') {
        entry.bad++;
        entry.reason ??= dependencyReason(toJobId(e.dependsOn), state);
      }
      per.set(d, entry);
    }
    if (per.size === 0) return;
    const ds = [...per.keys()].sort((a, b) => a - b);
    const rows = await s.run<{ id: number; queue: string; state: JobState; runAt: number; pending: number }>(sql.dependenciesEnded, [
      ds, ds.map((d) => per.get(d)!.ended), ds.map((d) => per.get(d)!.bad), ds.map((d) => per.get(d)!.reason), now,
    ]);
    const next: number[] = [];
    for (const r of rows) {
      if (r.state === 'cancelled') next.push(toJobId(r.id));
      else if (r.pending === 0) s.notify({ kind: 'job-available', queue: r.queue, runAt: r.runAt });
    }
    frontier = next;
  }
}

/** The fallback jobs of jobs that just failed finally, where their queue names one (at most one per job). */
export async function fallbackFor(s: Tx, sql: FlowSql, ids: readonly number[], now: number | null): Promise<void> {
  if (ids.length === 0) return;
  const made = await s.run<{ id: number; queue: string; runAt: number }>(sql.fallbackCreate, [ids, now]);
  if (made.length === 0) return;
  await s.run(sql.tagsInsert, [made.map((m) => m.id)]);
  for (const m of made) s.notify({ kind: 'job-available', queue: m.queue, runAt: m.runAt });
}

/** Ended jobs whose consequences were not written with their end (a deadline passed in the claim). */
export async function resolveUnresolved(s: Tx, sql: FlowSql, limit: number, now: number | null): Promise<number> {
  const ids = (await s.run<{ id: number }>(sql.unresolved, [limit])).map((r) => toJobId(r.id));
  await endJobs(s, sql, ids, now);
  return ids.length;
}

/** A batch: members, then the completion job held until every member has ended. */
export async function createBatch(
  s: Tx,
  sql: FlowSql,
  insert: (jobs: readonly NewJob[]) => Promise<InsertResult[]>,
  jobs: readonly NewJob[],
  completion: NewJob,
  now: number | null,
): Promise<{ batchId: number; jobs: InsertResult[]; completionJobId: number }> {
  const [batch] = await s.run<{ id: number }>(sql.batchInsert, [jobs.length, now]);
  const batchId = toJobId(batch!.id);
  const members = await insert(jobs);
  const [done] = await insert([{ ...completion, payload: `{"batchId":${batchId},"payload":${completion.payload}}` }]);
  const completionJobId = done!.id;
  const ids = members.map((m) => m.id);
  await s.run(sql.batchMarkMembers, [ids, batchId]);
  await s.run(sql.batchEdges, [ids, completionJobId]);
  await s.run(sql.batchHoldCompletion, [completionJobId, batchId, ids.length]);
  await s.run(sql.batchSetCompletion, [batchId, completionJobId]);
  return { batchId, jobs: members, completionJobId };
}

export async function getBatch(s: Pick<Session, 'run'>, sql: FlowSql, id: number): Promise<BatchRow | null> {
  const [row] = await s.run<Omit<BatchRow, 'counts'> & { counts: BatchRow['counts'] | null }>(sql.batchGet, [id]);
  if (row === undefined) return null;
  const counts: BatchRow['counts'] = {};
  for (const [state, n] of Object.entries(row.counts ?? {})) counts[state as JobState] = Number(n);
  return { id: toJobId(row.id), total: row.total, completionJobId: row.completionJobId === null ? null : toJobId(row.completionJobId), createdAt: row.createdAt, counts };
}

const NO_CURSOR = Number.MAX_SAFE_INTEGER;

/** A page of jobs matching `filter`, newest first, read along the index the filter allows. */
export async function selectJobs(s: Pick<Session, 'run'>, sql: FlowSql, filter: JobFilter, cursor: number | undefined, limit: number): Promise<JobRow[]> {
  const values = [
    cursor ?? NO_CURSOR, limit, filter.queue ?? null, filter.states ?? null, filter.tag ?? null, filter.keyPrefix ?? null,
    filter.keyPrefix === undefined ? null : prefixEnd(filter.keyPrefix), filter.batchId ?? null, filter.createdFrom ?? null, filter.createdTo ?? null,
    filter.runAtFrom ?? null, filter.runAtTo ?? null, filter.finishedFrom ?? null, filter.finishedTo ?? null,
  ];
  const text = filter.tag !== undefined ? sql.filterByTag
    : filter.keyPrefix !== undefined && filter.queue !== undefined ? sql.filterByKeyPrefix
      : sql.filter;
  return (await s.run<JobRow>(text, values)).map((r) => ({ ...r, id: toJobId(r.id) }));
}

/** `filter` narrowed to the states an action applies to; null when none is left. */
function narrowStates(filter: JobFilter, allowed: readonly JobState[]): JobFilter | null {
  const states = (filter.states ?? allowed).filter((st) => allowed.includes(st));
  return states.length === 0 ? null : { ...filter, states };
}

function page(rows: readonly JobRow[], limit: number, changed: number, running: BulkResult['running'] = []): BulkResult {
  const last = rows[rows.length - 1];
  return { changed, running, nextCursor: rows.length === limit && last !== undefined ? last.id : null };
}

export async function cancelMany(s: Tx, sql: FlowSql, filter: JobFilter, cursor: number | undefined, limit: number, now: number | null): Promise<BulkResult> {
  const f = narrowStates(filter, ['scheduled', 'running']);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = await selectJobs(s, sql, f, cursor, limit);
  if (rows.length === 0) return page(rows, limit, 0);
  const moved = await s.run<{ id: number; queue: string; owner: string | null; was: JobState }>(sql.cancelMany, [rows.map((r) => r.id), now]);
  const running: BulkResult['running'] = [];
  for (const m of moved) {
    if (m.was === 'running' && m.owner !== null) {
      running.push({ id: toJobId(m.id), queue: m.queue, owner: m.owner });
      s.notify({ kind: 'job-cancelled', id: toJobId(m.id), queue: m.queue, owner: m.owner });
    }
  }
  await endJobs(s, sql, moved.map((m) => toJobId(m.id)), now);
  return page(rows, limit, moved.length, running);
}

export async function replayMany(s: Tx, sql: FlowSql, filter: JobFilter, cursor: number | undefined, limit: number, now: number | null): Promise<BulkResult> {
  const f = narrowStates(filter, FINAL_STATES);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = await selectJobs(s, sql, f, cursor, limit);
  if (rows.length === 0) return page(rows, limit, 0);
  const ids = rows.map((r) => r.id);
  await s.run(sql.archiveCompletedMany, [ids]);
  const moved = await s.run<{ queue: string; runAt: number }>(sql.replayMany, [ids, now]);
  for (const m of moved) s.notify({ kind: 'job-available', queue: m.queue, runAt: m.runAt });
  return page(rows, limit, moved.length);
}

export async function deleteMany(s: Tx, sql: FlowSql, filter: JobFilter, cursor: number | undefined, limit: number): Promise<BulkResult> {
  const f = narrowStates(filter, FINAL_STATES);
  if (f === null) return { changed: 0, running: [], nextCursor: null };
  const rows = await selectJobs(s, sql, f, cursor, limit);
  if (rows.length === 0) return page(rows, limit, 0);
  const [gone] = await s.run<{ count: number }>(sql.deleteFinal, [rows.map((r) => r.id)]);
  return page(rows, limit, gone?.count ?? 0);
}
