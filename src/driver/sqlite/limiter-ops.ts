/**
 * Flow control in the SQLite driver: the claim of a queue with jobs behind limiters, limiter status, queue capacity.
 * Everything runs inside the driver's IMMEDIATE transactions, so one claim at a time decides over a limiter — across
 * processes on the same file too.
 */
import { laneKey, LimiterGate, liveLog } from '../../core/limiter.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import type { ClaimBatch, InsertResult, LimiterRow, LimiterUsage } from '../driver.js';
import { byClaimOrder, parseLog, queueFull, specOf, type FlowCandidate } from '../limiter-rows.js';
import { toClaimed, type ClaimRow } from './job-ops.js';
import type { Statements } from './statements.js';

type ClaimParams = { queue: string; limit: number; owner: string; leaseMs: number; now: number };
type Group = { limiter: string; lane: string | null };
type RawLimiter = Omit<LimiterRow, 'lend'> & { lend: number };

/** A queue's limiter and lane, which its jobs take when they name no limiter of their own. */
export interface QueueLimiter {
  limiter: string;
  lane: string | null;
}

/** The limiter and lane of `queue`, or null when it has none (read once per insert call and queue). */
export function queueLimiter(s: Statements, queue: string, cache?: Map<string, QueueLimiter | null>): QueueLimiter | null {
  if (cache?.has(queue) === true) return cache.get(queue)!;
  const row = (s.limiter.queueLimiter.get({ queue }) as QueueLimiter | undefined) ?? null;
  cache?.set(queue, row);
  return row;
}

/** The flow columns of an insert's named parameters: the job's own limiter, else its queue's (with the job's lane first). */
export function flowParams(job: NewJob, queue: QueueLimiter | null): { limiter: string | null; lane: string | null; partitionKey: string | null; partitionMode: number } {
  const own = job.limiter ?? null;
  const limiter = own ?? queue?.limiter ?? null;
  const lane = own === null && queue !== null ? (job.lane ?? queue.lane) : (job.lane ?? null);
  return { limiter, lane, partitionKey: job.partitionKey ?? null, partitionMode: job.partitionMode === 'lenient' ? 1 : 0 };
}

export function toLimiterRow(raw: RawLimiter | undefined): LimiterRow | null {
  return raw === undefined ? null : { ...raw, lend: raw.lend === 1 };
}

/** The (limiter, lane) groups of a queue's limited jobs, by a loose scan of kairos_jobs_claim_limited. */
function groupsOf(s: Statements, queue: string): Group[] {
  const out: Group[] = [];
  let g = s.limiter.groupFirst.get({ queue }) as Group | undefined;
  while (g !== undefined && out.length < 1000) {
    out.push(g);
    g = (g.lane === null
      ? s.limiter.groupFirstNamedLane.get({ queue, limiter: g.limiter })
      : s.limiter.groupNextLane.get({ queue, limiter: g.limiter, lane: g.lane })) as Group | undefined
      ?? s.limiter.groupNextLimiter.get({ queue, limiter: g.limiter }) as Group | undefined;
  }
  return out;
}

/** The admission state of one limiter now: its definition, running attempts per lane, lanes with due work, rate log. */
function gateOf(s: Statements, limiter: string, now: number): LimiterGate {
  const raw = s.limiter.limiterForClaim.get({ id: limiter }) as (RawLimiter & { rateLog: string }) | undefined;
  if (raw === undefined) return new LimiterGate(null, new Map(), new Set(), [], now);
  const spec = specOf({ ...raw, lend: raw.lend === 1 });
  const running = new Map<string, number>();
  for (const r of s.limiter.limiterRunning.all({ limiter, now }) as { lane: string | null; count: number }[]) running.set(laneKey(r.lane), r.count);
  const waiting = new Set<string>();
  if (spec.lend) {
    for (const [lane, { reserved }] of Object.entries(spec.lanes)) {
      if (reserved > 0 && s.limiter.laneHasDue.get({ limiter, lane, now }) !== undefined) waiting.add(lane);
    }
  }
  return new LimiterGate(spec, running, waiting, parseLog(raw.rateLog), now);
}

/** Up to `limit` due jobs of one group, in claim order, level by level (future jobs are never read). */
function dueOfGroup(s: Statements, queue: string, g: Group, now: number, limit: number, into: FlowCandidate[]): void {
  let after = PRIORITY_MIN - 1;
  let left = limit;
  while (left > 0) {
    const level = s.limiter.groupNextPriority.get({ queue, limiter: g.limiter, lane: g.lane, after }) as { priority: number } | undefined;
    if (level === undefined) return;
    const rows = s.limiter.groupDueAtPriority.all({ queue, limiter: g.limiter, lane: g.lane, priority: level.priority, now, limit: left }) as FlowCandidate[];
    for (const r of rows) into.push(r);
    left -= rows.length;
    after = level.priority;
  }
}

/** Up to `limit` due free jobs of the queue, in claim order. */
function dueFree(s: Statements, queue: string, now: number, limit: number, into: FlowCandidate[]): void {
  let after = PRIORITY_MIN - 1;
  let left = limit;
  while (left > 0) {
    const level = s.job.nextPriority.get({ queue, after }) as { priority: number } | undefined;
    if (level === undefined) return;
    const rows = s.limiter.freeDueAtPriority.all({ queue, priority: level.priority, now, limit: left }) as FlowCandidate[];
    for (const r of rows) into.push(r);
    left -= rows.length;
    after = level.priority;
  }
}

/**
 * The claim of a queue that has jobs behind limiters. Candidates: the first `limit` due free jobs, and of each
 * (limiter, lane) group at most as many due jobs as it could start now; merged in claim order, each limited one is
 * admitted by its limiter's gate (which counts this claim's own starts), then all chosen are claimed in one UPDATE.
 * A job past its deadline is expired without taking a slot. The rate logs of limiters that started jobs are written.
 */
export function claimWithLimiters(s: Statements, p: ClaimParams): ClaimBatch {
  if (s.limiter.queuePaused.get({ queue: p.queue }) !== undefined) return [];
  const now = p.now;
  const candidates: FlowCandidate[] = [];
  dueFree(s, p.queue, now, p.limit, candidates);
  const gates = new Map<string, LimiterGate>();
  for (const g of groupsOf(s, p.queue)) {
    let gate = gates.get(g.limiter);
    if (gate === undefined) gates.set(g.limiter, (gate = gateOf(s, g.limiter, now)));
    const budget = Math.min(gate.budget(laneKey(g.lane)), p.limit);
    // One more than it may start, so due work held back is seen (refused below, it marks the gate held).
    dueOfGroup(s, p.queue, g, now, budget + 1, candidates);
  }
  candidates.sort(byClaimOrder);
  const chosen: number[] = [];
  for (const c of candidates) {
    if (chosen.length >= p.limit) break;
    if (c.limiter === null || (c.deadline !== null && c.deadline < now) || gates.get(c.limiter)!.admit(laneKey(c.lane))) chosen.push(c.id);
  }
  let retryAt: number | undefined;
  for (const [id, gate] of gates) {
    if (gate.startedHere > 0) s.limiter.limiterSetLog.run({ id, log: JSON.stringify(gate.nextLog()) });
    const at = gate.heldByRate ? gate.retryAt() : null;
    if (at !== null && (retryAt === undefined || at < retryAt)) retryAt = at;
  }
  const out: ClaimBatch = [];
  if (chosen.length > 0) {
    const rows = s.limiter.claimIds.all({ ids: JSON.stringify(chosen), now, owner: p.owner, leaseUntil: now + p.leaseMs }) as ClaimRow[];
    rows.sort((a, b) => a[3] - b[3] || a[4] - b[4] || a[0] - b[0]);
    for (const r of rows) out.push(toClaimed(r, p.queue, now));
  }
  if (retryAt !== undefined) out.retryAt = retryAt;
  if ([...gates.values()].some((g) => g.refused)) out.held = true;
  return out;
}

/** The earliest runAt of the queue's limited jobs (one seek per group and level), or null. */
export function limitedNextDue(s: Statements, queue: string): number | null {
  let earliest: number | null = null;
  for (const g of groupsOf(s, queue)) {
    let after = PRIORITY_MIN - 1;
    for (;;) {
      const level = s.limiter.groupNextPriority.get({ queue, limiter: g.limiter, lane: g.lane, after }) as { priority: number } | undefined;
      if (level === undefined) break;
      const row = s.limiter.groupEarliestAtPriority.get({ queue, limiter: g.limiter, lane: g.lane, priority: level.priority }) as { runAt: number };
      if (earliest === null || row.runAt < earliest) earliest = row.runAt;
      after = level.priority;
    }
  }
  return earliest;
}

/** A limiter's use now. */
export function limiterStatus(s: Statements, id: string, now: number): LimiterUsage | null {
  const raw = s.limiter.limiterForClaim.get({ id }) as (RawLimiter & { rateLog: string }) | undefined;
  if (raw === undefined) return null;
  const running = s.limiter.limiterRunning.all({ limiter: id, now }) as LimiterUsage['running'];
  const waiting = s.limiter.limiterWaiting.all({ limiter: id, now }) as LimiterUsage['waiting'];
  const log = raw.ratePerMs === null ? [] : liveLog(parseLog(raw.rateLog), now, raw.ratePerMs);
  return {
    id, running, waiting, rateUsed: log.reduce((n, [, c]) => n + c, 0), rateNextFreeAt: log.length > 0 && raw.ratePerMs !== null ? log[0]![0] + raw.ratePerMs : null,
  };
}

/**
 * QUEUE_FULL when an insert took a bounded queue past its capacity; thrown inside the insert's transaction, so
 * nothing of the call is stored. Counted after the insert, under the write lock, so it is exact.
 */
export function checkCapacity(s: Statements, jobs: readonly NewJob[], out: readonly InsertResult[]): void {
  const added = new Map<string, number>();
  for (let i = 0; i < jobs.length; i++) if (out[i]!.outcome === 'created') added.set(jobs[i]!.queue, (added.get(jobs[i]!.queue) ?? 0) + 1);
  for (const [queue, n] of added) {
    const row = s.limiter.queueCapacity.get({ queue }) as { capacity: number } | undefined;
    if (row === undefined) continue;
    const { count } = s.limiter.queueActiveUpTo.get({ queue, cap: row.capacity }) as { count: number };
    if (count > row.capacity) throw queueFull(queue, row.capacity, n);
  }
}
