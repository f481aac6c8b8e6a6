/** The job operations of the PostgreSQL driver that take more than one statement or shape their input: insert, claim, finish. */
import { KairosError } from '../../core/errors.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import type { ClaimBatch, ClaimedJob, FinishItem, InsertResult, JobRow } from '../driver.js';
import { checkCapacity, lockBoundedQueues } from './limiter-ops.js';
import type { limiterSql } from './queries/limiters.js';
import { toJobId } from '../ids.js';
import type { jobSql } from './queries/jobs.js';
import type { jobWriteSql } from './queries/job-writes.js';
import type { Session } from './pg-session.js';
import type { flowSql } from './queries/flows.js';
import { endJobs, fallbackFor, insertExtras, needsExtras } from './flow-ops.js';

type JobSql = ReturnType<typeof jobSql>;
type JobWriteSql = ReturnType<typeof jobWriteSql>;
type FlowSql = ReturnType<typeof flowSql>;
type LimiterSql = ReturnType<typeof limiterSql>;

/**
 * Inserts in item order: runs of keyless jobs in one statement each, keyed jobs one by one with their dedupe policy;
 * then bounded queues' capacity checks and (with `flow`) the jobs' tags and dependencies.
 */
export async function insertAll(
  s: Session, sql: JobSql, jobs: readonly NewJob[], now: number | null, limiterSql: LimiterSql, flow?: FlowSql,
): Promise<InsertResult[]> {
  const bounded = await lockBoundedQueues(s, limiterSql, jobs);
  const out = new Array<InsertResult>(jobs.length);
  const keyedHere = new Map<number, number>();
  let i = 0;
  while (i < jobs.length) {
    let end = i;
    while (end < jobs.length && jobs[end]!.key === null) end++;
    if (end > i) {
      const batch = jobs.slice(i, end);
      const ids = (await s.run<{ id: number }>(sql.insertBatch, [...batchColumns(batch), now])).map((r) => toJobId(r.id)).sort((a, b) => a - b);
      for (let k = 0; k < batch.length; k++) out[i + k] = { id: ids[k]!, state: 'scheduled', runAt: batch[k]!.runAt, outcome: 'created' };
      i = end;
      continue;
    }
    out[i] = await insertKeyed(s, sql, jobs[i]!, now, i, keyedHere);
    i++;
  }
  if (bounded.size > 0) await checkCapacity(s, limiterSql, bounded, jobs, out);
  // Tags and dependencies (flows, migration 007), in the same transaction.
  if (flow !== undefined && needsExtras(jobs)) await insertExtras(s, flow, jobs, out, now);
  for (const [queue, runAt] of earliestByQueue(jobs, out)) s.notify({ kind: 'job-available', queue, runAt });
  return out;
}

/**
 * Keyless jobs outside any transaction of the caller's: one statement that inserts them and announces them (see
 * jobInsertBatchAnnounced), atomic on its own. Null, having stored nothing, when a queue of the batch is bounded: the
 * caller then inserts through insertAll, which counts under the queue's lock.
 */
export async function insertKeylessAnnounced(
  s: Pick<Session, 'run'>,
  sql: JobSql,
  jobs: readonly NewJob[],
  now: number | null,
  channel: string,
): Promise<InsertResult[] | null> {
  const ids = (await s.run<{ id: number }>(sql.insertBatchAnnounced, [...batchColumns(jobs), now, channel])).map((r) => toJobId(r.id)).sort((a, b) => a - b);
  if (ids.length < jobs.length) return null;
  return jobs.map((j, k) => ({ id: ids[k]!, state: 'scheduled', runAt: j.runAt, outcome: 'created' }));
}

/** The earliest runAt per queue among the jobs that were created or replaced. */
function earliestByQueue(jobs: readonly NewJob[], out: readonly InsertResult[]): Map<string, number> {
  const earliest = new Map<string, number>();
  for (let k = 0; k < jobs.length; k++) {
    if (out[k]!.outcome === 'kept') continue;
    const q = jobs[k]!.queue;
    const at = earliest.get(q);
    if (at === undefined || jobs[k]!.runAt < at) earliest.set(q, jobs[k]!.runAt);
  }
  return earliest;
}

function batchColumns(batch: readonly NewJob[]): unknown[][] {
  return [
    batch.map((j) => j.queue), batch.map((j) => j.payload), batch.map((j) => j.priority), batch.map((j) => j.runAt),
    batch.map((j) => j.maxAttempts), batch.map((j) => j.backoff), batch.map((j) => j.timeoutMs), batch.map((j) => j.deadline),
    batch.map((j) => j.tags), batch.map((j) => j.scheduleId ?? null), batch.map((j) => j.occurrenceAt ?? null),
    batch.map((j) => j.limiter ?? null), batch.map((j) => j.lane ?? null), batch.map((j) => j.partitionKey ?? null),
    batch.map((j) => (j.partitionMode === 'lenient' ? 1 : 0)),
  ];
}

/** How many times a keyed insert looks again when the job holding its key ends between the insert and the read. */
const KEY_RACE_TRIES = 3;

async function insertKeyed(s: Session, sql: JobSql, job: NewJob, now: number | null, index: number, keyedHere: Map<number, number>): Promise<InsertResult> {
  for (let tries = 1; ; tries++) {
    const [created] = await s.run<{ id: number }>(sql.insertKeyed, [
      job.queue, job.payload, job.priority, job.runAt, job.key, job.maxAttempts, job.backoff, job.timeoutMs, job.deadline, job.tags, now,
      job.scheduleId ?? null, job.occurrenceAt ?? null, job.limiter ?? null, job.lane ?? null, job.partitionKey ?? null,
      job.partitionMode === 'lenient' ? 1 : 0,
    ]);
    if (created !== undefined) {
      const id = toJobId(created.id);
      keyedHere.set(id, index);
      return { id, state: 'scheduled', runAt: job.runAt, outcome: 'created' };
    }
    const [existing] = await s.run<{ id: number; state: JobRow['state']; runAt: number }>(sql.getByKey, [job.queue, job.key]);
    // The holder ended (and freed the key) after our insert saw it: insert again.
    if (existing === undefined && tries < KEY_RACE_TRIES) continue;
    if (existing === undefined) throw new KairosError('STORE_BUSY', `key: the job holding key ${JSON.stringify(job.key)} kept changing; try again`);
    const id = toJobId(existing.id);
    if (job.dedupe === 'reject') throw duplicateKey(job, index, { id, state: existing.state }, keyedHere.get(id));
    if (job.dedupe === 'replace') {
      const replaced = await s.run(sql.replacePending, [id, job.payload, job.priority, job.runAt, job.maxAttempts, job.backoff, job.timeoutMs, job.deadline, job.tags]);
      if (replaced.length === 1) return { id, state: 'scheduled', runAt: job.runAt, outcome: 'replaced' };
    }
    return { id, state: existing.state, runAt: existing.runAt, outcome: 'kept' };
  }
}

/**
 * DUPLICATE_KEY for item `index` of an insert. When the holder was created earlier in the same call its id would be
 * rolled back with the error, so the message names that item instead.
 */
function duplicateKey(job: NewJob, index: number, existing: { id: number; state: JobRow['state'] }, earlierIndex: number | undefined): KairosError {
  const key = job.key!.length > 64 ? `${JSON.stringify(job.key!.slice(0, 64))}… (${job.key!.length} characters)` : JSON.stringify(job.key);
  const holder = earlierIndex !== undefined
    ? `item ${earlierIndex} of the same call has key ${key}`
    : `job ${existing.id} of queue "${job.queue}" already holds key ${key} (${existing.state})`;
  return new KairosError('DUPLICATE_KEY', `key: ${holder}`, {
    details: { field: 'key', index, ...(earlierIndex !== undefined ? { sameCallIndex: earlierIndex } : { existingId: existing.id }) },
  });
}

type ClaimRow = Omit<ClaimedJob, 'id'> & { id: number | null; level: number | null; limited: boolean };

/** What claim() says of a queue with jobs behind a limiter: claim it with claimWithLimiters, in a transaction. */
export interface Limited {
  limited: true;
  /** Whether the queue also has due free jobs. */
  freeDue: boolean;
}

/**
 * Claims level by level (see jobClaimNextLevel) until `limit` jobs are claimed or no level has due work; the common
 * cases (nothing due, or the first level fills the claim) take one statement. With `partial`, each level's statement
 * commits on its own (no transaction round trips), and an error after the first level returns what was already
 * claimed rather than losing it until its lease ends.
 */
export async function claim(
  s: Pick<Session, 'run'>,
  sql: JobSql,
  p: { queue: string; limit: number; owner: string; leaseMs: number; now: number | null },
  partial = false,
): Promise<ClaimBatch | Limited> {
  const out: ClaimBatch = [];
  let after = PRIORITY_MIN - 1;
  while (out.length < p.limit) {
    let rows: ClaimRow[];
    try {
      rows = await s.run<ClaimRow>(sql.claimNextLevel, [p.queue, after, p.now, p.limit - out.length, p.owner, p.leaseMs]);
    } catch (cause) {
      if (partial && out.length > 0) return out;
      throw cause;
    }
    // Jobs behind a limiter: the statement claimed nothing; the caller claims in a transaction (claimWithLimiters).
    if (rows[0]?.limited === true) return out.length === 0 ? { limited: true, freeDue: rows[0].level !== null } : out;
    const level = rows[0]?.level ?? null;
    if (level === null) break;
    const claimed = rows.filter((r) => r.id !== null);
    // RETURNING gives no order guarantee; hand jobs out in claim order.
    claimed.sort((a, b) => a.runAt - b.runAt || a.id! - b.id!);
    for (const { level: _level, limited: _limited, ...r } of claimed) out.push({ ...r, id: toJobId(r.id!) });
    after = level;
  }
  return out;
}

/**
 * A limiter-changed notification per limiter whose attempt ended among `applied` (indexes into `items`), for the
 * limiters `announce` names (the contended ones: see PostgresDriver.contended).
 */
function announceFreedSlots(s: Pick<Session, 'notify'>, items: readonly FinishItem[], applied: readonly number[], announce: (limiter: string) => boolean): void {
  for (const i of applied) {
    const { limiter, owner } = items[i]!;
    if (limiter !== undefined && limiter !== null && announce(limiter)) s.notify({ kind: 'limiter-changed', limiter, owner });
  }
}

/** True when `items` are completions of distinct jobs: one jobCompleteMany statement, atomic on its own, does them all. */
export function onlyDistinctCompletions(items: readonly FinishItem[], announce: (limiter: string) => boolean = () => false): boolean {
  // Ends of attempts of contended limiters are announced, which takes the transaction path.
  return items.every((i) => i.state === 'completed' && (i.limiter == null || !announce(i.limiter))) && new Set(items.map((i) => i.id)).size === items.length;
}

/**
 * Applies finished attempts in rounds of distinct job ids (a second item for the same job, which the fence will
 * refuse unless the first one did not apply, goes into the next round): per round one statement for completions and
 * one for everything else. Requeued jobs are announced.
 */
export async function finishMany(
  s: Pick<Session, 'run' | 'notify'>,
  sql: JobWriteSql,
  items: readonly FinishItem[],
  now: number | null,
  flow: FlowSql,
  announce: (limiter: string) => boolean = () => false,
): Promise<boolean[]> {
  const applied = new Array<boolean>(items.length).fill(false);
  /** Jobs whose end has consequences to write (flow <> 0), and jobs that failed finally (fallbacks). */
  const ended: number[] = [];
  const failed: number[] = [];
  let rest = items.map((item, idx) => ({ item, idx }));
  while (rest.length > 0) {
    const seen = new Set<number>();
    const round: typeof rest = [];
    const later: typeof rest = [];
    for (const e of rest) {
      if (seen.has(e.item.id)) later.push(e);
      else round.push(e);
      seen.add(e.item.id);
    }
    const done = round.filter((e) => e.item.state === 'completed');
    const others = round.filter((e) => e.item.state !== 'completed');
    if (done.length > 0) {
      const ids = await s.run<{ id: number; flow: number }>(sql.completeMany, [
        done.map((e) => e.item.id), done.map((e) => e.item.owner), done.map((e) => e.item.attempt), done.map((e) => e.item.result ?? null), now,
      ]);
      const byId = new Map(done.map((e) => [e.item.id, e.idx]));
      for (const r of ids) {
        applied[byId.get(r.id)!] = true;
        if (r.flow !== 0) ended.push(r.id);
      }
      announceFreedSlots(s, items, ids.map((r) => byId.get(r.id)!), announce);
    }
    if (others.length > 0) {
      const col = <T>(f: (i: FinishItem) => T) => others.map((e) => f(e.item));
      const rows = await s.run<{ idx: number; id: number; queue: string; state: string; runAt: number; flow: number }>(sql.finishOthers, [
        others.map((e) => e.idx), col((i) => i.id), col((i) => i.owner), col((i) => i.attempt), col((i) => i.state), col((i) => i.runAt ?? null),
        col((i) => (i.state === 'scheduled' && !i.countsAttempt ? 1 : 0)), col((i) => i.result ?? null), col((i) => i.error ?? null),
        col((i) => i.startedAt), col((i) => i.outcome), col((i) => i.note ?? null), now,
      ]);
      const requeued = new Map<string, number>();
      for (const r of rows) {
        applied[r.idx] = true;
        if (r.state === 'scheduled' && !(r.runAt >= (requeued.get(r.queue) ?? Infinity))) requeued.set(r.queue, r.runAt);
        if (r.state !== 'scheduled' && r.flow !== 0) ended.push(toJobId(r.id));
        if (r.state === 'failed') failed.push(toJobId(r.id));
      }
      for (const [queue, runAt] of requeued) s.notify({ kind: 'job-available', queue, runAt });
      announceFreedSlots(s, items, rows.map((r) => r.idx), announce);
    }
    rest = later;
  }
  await fallbackFor(s, flow, failed, now);
  if (ended.length > 0) await endJobs(s, flow, ended, now);
  return applied;
}

/**
 * Completions without a transaction (one statement): each job whose end has consequences to write is left as it
 * is and reported unapplied, for the caller to complete in a transaction with them.
 */
export async function completeUnflowed(s: Pick<Session, 'run'>, sql: JobWriteSql, items: readonly FinishItem[], now: number | null): Promise<boolean[]> {
  const ids = await s.run<{ id: number }>(sql.completeManyUnflowed, [
    items.map((i) => i.id), items.map((i) => i.owner), items.map((i) => i.attempt), items.map((i) => i.result ?? null), now,
  ]);
  const done = new Set(ids.map((r) => toJobId(r.id)));
  return items.map((i) => done.has(i.id));
}
