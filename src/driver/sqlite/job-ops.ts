/** The job operations of the SQLite driver, as plain functions over prepared statements, run inside its transactions. */
import { describeValue, KairosError } from '../../core/errors.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import type { CancelResult, ClaimBatch, ClaimedJob, FinishItem, InsertResult, JobRow, RescuedJob, StoreNotification } from '../driver.js';
import { toJobId } from '../ids.js';
import { STATE_CODE } from '../state-codes.js';
import { endJobs, fallbackFor } from './flow-end.js';
import { checkCapacity, claimWithLimiters, flowParams, queueLimiter, type QueueLimiter } from './limiter-ops.js';
import { COMPLETE_ROWS, INSERT_ROW_PARAMS, INSERT_ROWS } from './queries/jobs.js';
import type { Statements } from './statements.js';

/** Inserts in order: runs of INSERT_ROWS keyless jobs with one statement, the rest one by one. */
export function insertAll(s: Statements, jobs: readonly NewJob[], now: number): InsertResult[] {
  const out = new Array<InsertResult>(jobs.length);
  /** Ids this call created for keyed jobs, by id: a later item with the same key names the earlier item, not its id. */
  const keyedHere = new Map<number, number>();
  const params = new Array<unknown>(INSERT_ROWS * INSERT_ROW_PARAMS);
  const limiters = new Map<string, QueueLimiter | null>();
  let i = 0;
  while (i < jobs.length) {
    let run = 0;
    while (run < INSERT_ROWS && i + run < jobs.length && jobs[i + run]!.key === null) run++;
    if (run < INSERT_ROWS) {
      out[i] = insertOne(s, jobs[i]!, now, i, keyedHere, queueLimiter(s, jobs[i]!.queue, limiters));
      i++;
      continue;
    }
    for (let r = 0; r < INSERT_ROWS; r++) {
      const j = jobs[i + r]!;
      const o = r * INSERT_ROW_PARAMS;
      params[o] = j.queue; params[o + 1] = j.payload; params[o + 2] = j.priority; params[o + 3] = j.runAt; params[o + 4] = j.maxAttempts;
      params[o + 5] = j.backoff; params[o + 6] = j.timeoutMs; params[o + 7] = j.deadline; params[o + 8] = j.tags; params[o + 9] = now;
      params[o + 10] = j.scheduleId ?? null; params[o + 11] = j.occurrenceAt ?? null;
      const flow = flowParams(j, queueLimiter(s, j.queue, limiters));
      params[o + 12] = flow.limiter; params[o + 13] = flow.lane; params[o + 14] = flow.partitionKey; params[o + 15] = flow.partitionMode;
    }
    const first = toJobId(s.job.insertRows.run(params).lastInsertRowid) - INSERT_ROWS + 1;
    for (let r = 0; r < INSERT_ROWS; r++) out[i + r] = { id: first + r, state: 'scheduled', runAt: jobs[i + r]!.runAt, outcome: 'created' };
    i += INSERT_ROWS;
  }
  checkCapacity(s, jobs, out);
  return out;
}

function insertOne(s: Statements, job: NewJob, now: number, index: number, keyedHere: Map<number, number>, queue: QueueLimiter | null): InsertResult {
  const params = {
    queue: job.queue, payload: job.payload, priority: job.priority, runAt: job.runAt, key: job.key, maxAttempts: job.maxAttempts,
    backoff: job.backoff, timeoutMs: job.timeoutMs, deadline: job.deadline, tags: job.tags, now, scheduleId: job.scheduleId ?? null,
    occurrenceAt: job.occurrenceAt ?? null, ...flowParams(job, queue),
  };
  if (job.key === null) {
    return { id: toJobId(s.job.insert.run(params).lastInsertRowid), state: 'scheduled', runAt: job.runAt, outcome: 'created' };
  }
  const created = s.job.insertKeyed.get(params) as { id: number } | undefined;
  if (created !== undefined) {
    keyedHere.set(created.id, index);
    return { id: created.id, state: 'scheduled', runAt: job.runAt, outcome: 'created' };
  }
  const existing = s.job.getByKey.get({ queue: job.queue, key: job.key }) as { id: number; state: JobRow['state']; runAt: number };
  if (job.dedupe === 'reject') throw duplicateKey(job, index, existing, keyedHere.get(existing.id));
  if (job.dedupe === 'replace' && s.job.replacePending.run({ ...params, id: existing.id }).changes === 1) {
    return { id: existing.id, state: 'scheduled', runAt: job.runAt, outcome: 'replaced' };
  }
  return { id: existing.id, state: existing.state, runAt: existing.runAt, outcome: 'kept' };
}

/** A row of jobClaimAtPriority in raw mode, in RETURNING order. */
export type ClaimRow = [
  id: number, state: typeof STATE_CODE.running | typeof STATE_CODE.expired, payload: string, priority: number, runAt: number, key: string | null, attempt: number,
  maxAttempts: number, backoff: string | null, timeoutMs: number | null, deadline: number | null, tags: string | null,
  scheduleId: string | null, occurrenceAt: number | null, limiter: string | null, lane: string | null, partitionKey: string | null,
];

/** A claimed row (raw mode) as the seam's ClaimedJob. */
export function toClaimed(r: ClaimRow, queue: string, now: number): ClaimedJob {
  return {
    id: r[0], queue, state: r[1] === STATE_CODE.running ? 'running' : 'expired', payload: r[2], priority: r[3], runAt: r[4], key: r[5], attempt: r[6], maxAttempts: r[7],
    backoff: r[8], timeoutMs: r[9], deadline: r[10], tags: r[11], startedAt: now, scheduleId: r[12], occurrenceAt: r[13], limiter: r[14], lane: r[15],
    partitionKey: r[16],
  };
}

/**
 * DUPLICATE_KEY for item `index` of an insert. When the holder was created earlier in the same call its id would be
 * rolled back with the error, so the message names that item instead.
 */
function duplicateKey(job: NewJob, index: number, existing: { id: number; state: JobRow['state'] }, earlierIndex: number | undefined): KairosError {
  const key = describeValue(job.key);
  const holder = earlierIndex !== undefined
    ? `item ${earlierIndex} of the same call has key ${key}`
    : `job ${existing.id} of queue "${job.queue}" already holds key ${key} (${existing.state})`;
  return new KairosError('DUPLICATE_KEY', `key: ${holder}`, {
    details: { field: 'key', index, ...(earlierIndex !== undefined ? { sameCallIndex: earlierIndex } : { existingId: existing.id }) },
  });
}

/**
 * Claims due jobs of a queue in (priority, runAt, id) order. A queue with jobs behind a limiter is claimed by
 * claimWithLimiters (limiter-ops.ts); the rest, the free jobs, level by level as below.
 */
export function claim(s: Statements, p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }): ClaimBatch {
  if (s.limiter.queueHasLimited.get({ queue: p.queue }) !== undefined) return claimWithLimiters(s, p);
  return claimFree(s, p);
}

/** Claims free jobs only (no limiter), level by level. */
export function claimFree(s: Statements, p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }): ClaimedJob[] {
  const out: ClaimedJob[] = [];
  let after = PRIORITY_MIN - 1;
  while (out.length < p.limit) {
    const level = s.job.nextPriority.get({ queue: p.queue, after }) as { priority: number } | undefined;
    if (level === undefined) break;
    const rows = s.job.claimAtPriority.all({
      queue: p.queue, priority: level.priority, now: p.now, limit: p.limit - out.length, owner: p.owner, leaseUntil: p.now + p.leaseMs,
    }) as ClaimRow[];
    // RETURNING gives no order guarantee; hand jobs out in claim order.
    rows.sort((a, b) => a[4] - b[4] || a[0] - b[0]);
    for (const r of rows) out.push(toClaimed(r, p.queue, p.now));
    after = level.priority;
  }
  return out;
}

/**
 * Applies finished attempts; then, in the same transaction, what their ends set off (flows, migration 007): the
 * dependents and waiters of jobs that ended, and the fallback job of each that failed finally.
 */
export function finishMany(s: Statements, items: readonly FinishItem[], now: number, notes: StoreNotification[] = []): boolean[] {
  const applied = new Array<boolean>(items.length).fill(false);
  const completed: [number, string, number, string | null][] = [];
  const index = new Map<number, number>();
  const ended: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.state === 'completed' && !index.has(item.id)) {
      completed.push([item.id, item.owner, item.attempt, item.result ?? null]);
      index.set(item.id, i);
    } else if (item.state === 'completed') {
      // A second completion of the same job in one batch (another attempt or owner): RETURNING gives only the id,
      // so this one is written on its own. The fence lets at most one of them apply.
      applied[i] = s.job.finishFinal.run({ id: item.id, owner: item.owner, attempt: item.attempt, error: null, state: STATE_CODE.completed, now, result: item.result ?? null }).changes === 1;
      if (applied[i]) ended.push(item.id);
    } else {
      applied[i] = finishOne(s, item, now);
      if (applied[i] && item.state !== 'scheduled') ended.push(item.id);
      if (applied[i] && item.state === 'failed') fallbackFor(s, item.id, now, notes);
    }
  }
  if (completed.length > 0) {
    for (const id of completeAll(s, completed, now)) {
      // A negative id: completed, and its end has consequences to write.
      applied[index.get(Math.abs(id))!] = true;
      if (id < 0) ended.push(-id);
    }
  }
  if (ended.length > 0) endJobs(s, ended, now, notes);
  return applied;
}

/** Completes the rows in statements of COMPLETE_ROWS, then one by one; returns the ids whose fence held. */
function completeAll(s: Statements, rows: readonly [number, string, number, string | null][], now: number): number[] {
  const done: number[] = [];
  const params = new Array<unknown>(COMPLETE_ROWS * 4 + 1);
  let i = 0;
  for (; i + COMPLETE_ROWS <= rows.length; i += COMPLETE_ROWS) {
    for (let r = 0; r < COMPLETE_ROWS; r++) {
      const row = rows[i + r]!;
      params[r * 4] = row[0]; params[r * 4 + 1] = row[1]; params[r * 4 + 2] = row[2]; params[r * 4 + 3] = row[3];
    }
    params[COMPLETE_ROWS * 4] = now;
    for (const id of s.job.completeRows.all(params) as number[]) done.push(id);
  }
  for (; i < rows.length; i++) {
    const row = rows[i]!;
    for (const id of s.job.completeRow.all(row[0], row[1], row[2], row[3], now) as number[]) done.push(id);
  }
  return done;
}

/** One attempt that did not complete its job: fenced job update plus its kairos_attempts row. */
function finishOne(s: Statements, item: FinishItem, now: number): boolean {
  const fence = { id: item.id, owner: item.owner, attempt: item.attempt, error: item.error ?? null };
  const changed = item.state === 'scheduled'
    ? s.job.requeue.run({ ...fence, runAt: item.runAt ?? now, giveBack: item.countsAttempt ? 0 : 1 }).changes
    : s.job.finishFinal.run({ ...fence, state: STATE_CODE[item.state], now, result: item.result ?? null }).changes;
  if (changed === 0) return false;
  s.attempt.insert.run({
    jobId: item.id, attempt: item.attempt, workerId: item.owner, startedAt: item.startedAt, finishedAt: now,
    outcome: item.outcome, error: item.error ?? null, note: item.note ?? null,
  });
  return true;
}

export function rescue(s: Statements, now: number, limit: number, notes: StoreNotification[] = []): RescuedJob[] {
  const rows = s.job.expiredLeases.all({ now, limit }) as { id: number; queue: string; attempt: number; maxAttempts: number; owner: string; startedAt: number }[];
  const out: RescuedJob[] = [];
  for (const r of rows) {
    const error = JSON.stringify({ name: 'LeaseExpired', message: `lease of worker ${r.owner} expired before attempt ${r.attempt} finished` });
    const fence = { id: r.id, owner: r.owner, attempt: r.attempt, error, now };
    const final = r.attempt >= r.maxAttempts;
    const changed = final ? s.job.failRescued.run(fence).changes : s.job.requeue.run({ ...fence, runAt: now, giveBack: 0 }).changes;
    if (changed === 0) continue;
    s.attempt.insert.run({ jobId: r.id, attempt: r.attempt, workerId: r.owner, startedAt: r.startedAt, finishedAt: now, outcome: 'lease-expired', error, note: null });
    out.push({ id: r.id, queue: r.queue, attempt: r.attempt, owner: r.owner, state: final ? 'failed' : 'scheduled' });
    if (final) {
      fallbackFor(s, r.id, now, notes);
      endJobs(s, [r.id], now, notes);
    }
  }
  return out;
}

export function cancel(s: Statements, p: { id?: number; queue?: string; key?: string; now: number }, notes: StoreNotification[] = []): CancelResult | null {
  const row = (p.id !== undefined ? s.job.get.get({ id: p.id }) : s.job.activeByKey.get({ queue: p.queue, key: p.key })) as JobRow | undefined;
  if (row === undefined) return null;
  const base = { id: row.id, queue: row.queue, previousState: row.state, owner: row.owner, attempt: row.attempt };
  if (row.state !== 'scheduled' && row.state !== 'running') return { ...base, cancelled: false };
  s.job.cancel.run({ id: row.id, now: p.now });
  if (row.state === 'running' && row.owner !== null) {
    s.attempt.insert.run({
      jobId: row.id, attempt: row.attempt, workerId: row.owner, startedAt: row.startedAt ?? p.now, finishedAt: p.now,
      outcome: 'cancelled', error: null, note: 'cancelled while running',
    });
  }
  endJobs(s, [row.id], p.now, notes);
  return { ...base, cancelled: true };
}

/** Replays a final job if it is final (the bulk form of replay): true when it moved. */
export function replayQuiet(s: Statements, p: { id: number; now: number }): boolean {
  s.job.archiveCompletedAttempt.run(p);
  return s.job.replay.run(p).changes === 1;
}

/** Replays a final job: same id, due at `now`; the completed attempt moves from the job row to kairos_attempts first. */
export function replay(s: Statements, p: { id: number; now: number }): JobRow {
  s.job.archiveCompletedAttempt.run(p);
  const changed = s.job.replay.run(p).changes;
  const row = s.job.get.get(p) as JobRow | undefined;
  if (row === undefined) throw new KairosError('JOB_NOT_FOUND', `job ${p.id} not found`, { details: { field: 'id' } });
  if (changed === 0) {
    throw new KairosError('JOB_STATE_CONFLICT', `job ${p.id} is ${row.state}; only a completed, failed, cancelled, expired or skipped job can be replayed`, {
      details: { field: 'id', state: row.state },
    });
  }
  return row;
}
