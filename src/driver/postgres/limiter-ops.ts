/**
 * Flow control in the PostgreSQL driver: the claim of a queue with jobs behind limiters, limiter status, queue
 * capacity. The claim runs in one transaction that locks each limiter's row (FOR UPDATE, in id order) before it
 * counts and admits, so claims of one limiter on any number of instances run one after another and none can pass a
 * check another one already used up.
 */
import { laneKey, LimiterGate, liveLog } from '../../core/limiter.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import type { ClaimBatch, InsertResult, LimiterRow, LimiterUsage } from '../driver.js';
import { toJobId } from '../ids.js';
import { byClaimOrder, parseLog, queueFull, specOf, type FlowCandidate } from '../limiter-rows.js';
import type { Session } from './pg-session.js';
import type { limiterSql } from './queries/limiters.js';

type LimiterSql = ReturnType<typeof limiterSql>;
type Run = Pick<Session, 'run'>;
type ClaimParams = { queue: string; limit: number; owner: string; leaseMs: number; now: number | null };
type Group = { limiter: string; lane: string | null };

type LockedLimiter = Omit<LimiterRow, 'version' | 'createdAt' | 'updatedAt'> & { rateLog: string };

/** The admission state of one limiter, its row already locked: running attempts per lane, lanes with due work. */
async function gateOf(s: Run, sql: LimiterSql, limiter: string, row: LockedLimiter | undefined, now: number): Promise<LimiterGate> {
  if (row === undefined) return new LimiterGate(null, new Map(), new Set(), [], now);
  const spec = specOf(row);
  const running = new Map<string, number>();
  for (const r of await s.run<{ lane: string | null; count: number }>(sql.limiterRunning, [limiter, now])) running.set(laneKey(r.lane), r.count);
  const reserved = Object.entries(spec.lanes).filter(([, l]) => l.reserved > 0).map(([name]) => name);
  const waiting = new Set<string>();
  if (spec.lend && reserved.length > 0) for (const r of await s.run<{ lane: string }>(sql.lanesWithDue, [limiter, reserved, now])) waiting.add(r.lane);
  return new LimiterGate(spec, running, waiting, parseLog(row.rateLog), now);
}

async function dueOfGroup(s: Run, sql: LimiterSql, queue: string, g: Group, now: number, limit: number, into: FlowCandidate[]): Promise<void> {
  const rows = await s.run<FlowCandidate>((g.lane === null ? sql.unnamed : sql.named).due, [queue, g.limiter, g.lane, now, limit]);
  for (const r of rows) into.push({ ...r, id: toJobId(r.id) });
}

async function dueFree(s: Run, sql: LimiterSql, queue: string, now: number, limit: number, into: FlowCandidate[]): Promise<void> {
  let after = PRIORITY_MIN - 1;
  let left = limit;
  while (left > 0) {
    const [level] = await s.run<{ priority: number }>(sql.freeNextPriority, [queue, after]);
    if (level === undefined) return;
    const rows = await s.run<FlowCandidate>(sql.freeDueAtPriority, [queue, level.priority, now, left]);
    for (const r of rows) into.push({ ...r, id: toJobId(r.id) });
    left -= rows.length;
    after = level.priority;
  }
}

/**
 * The claim of a queue that has jobs behind limiters; call inside a transaction. The same steps as the SQLite
 * driver's (see its limiter-ops.ts): candidates from the free jobs and from each (limiter, lane) group up to what it
 * could start, merged in claim order and admitted one by one by the limiter's gate, claimed in one UPDATE.
 */
export async function claimWithLimiters(
  s: Run,
  sql: LimiterSql,
  p: ClaimParams,
  freeDue = true,
  /** Told of every limiter that refused a due job in this claim. */
  onContended: (limiter: string) => void = () => undefined,
): Promise<ClaimBatch> {
  const [start] = await s.run<{ now: number; paused: boolean; groups: Group[]; limiters: LockedLimiter[] }>(sql.start, [p.queue, p.now]);
  if (start!.paused) return [];
  const now = start!.now;
  const rows = new Map(start!.limiters.map((l) => [l.id, l]));
  const candidates: FlowCandidate[] = [];
  if (freeDue) await dueFree(s, sql, p.queue, now, p.limit, candidates);
  const gates = new Map<string, LimiterGate>();
  // Groups come in limiter order, so limiter rows are locked in id order by every claimer (no deadlock between them).
  for (const g of start!.groups) {
    let gate = gates.get(g.limiter);
    if (gate === undefined) gates.set(g.limiter, (gate = await gateOf(s, sql, g.limiter, rows.get(g.limiter), now)));
    // One more than it may start, so due work held back is seen (refused below, it marks the gate held).
    await dueOfGroup(s, sql, p.queue, g, now, Math.min(gate.budget(laneKey(g.lane)), p.limit) + 1, candidates);
  }
  candidates.sort(byClaimOrder);
  const chosen: number[] = [];
  for (const c of candidates) {
    if (chosen.length >= p.limit) break;
    if (c.limiter === null || (c.deadline !== null && c.deadline < now) || gates.get(c.limiter)!.admit(laneKey(c.lane))) chosen.push(c.id);
  }
  let retryAt: number | undefined;
  const logIds: string[] = [];
  const logs: string[] = [];
  for (const [id, gate] of gates) {
    if (gate.refused) onContended(id);
    if (gate.startedHere > 0) {
      logIds.push(id);
      logs.push(JSON.stringify(gate.nextLog()));
    }
    const at = gate.heldByRate ? gate.retryAt() : null;
    if (at !== null && (retryAt === undefined || at < retryAt)) retryAt = at;
  }
  const out: ClaimBatch = [];
  if (chosen.length > 0) {
    const claimed = await s.run<ClaimBatch[number]>(sql.claimIds, [chosen, now, p.owner, p.leaseMs, logIds, logs]);
    claimed.sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id);
    for (const r of claimed) out.push({ ...r, id: toJobId(r.id) });
  }
  if (retryAt !== undefined) out.retryAt = retryAt;
  if ([...gates.values()].some((g) => g.refused)) out.held = true;
  return out;
}

/** The earliest runAt of the queue's limited jobs (one seek per group and level), or null. */
export async function limitedNextDue(s: Run, sql: LimiterSql, queue: string): Promise<number | null> {
  let earliest: number | null = null;
  for (const g of await s.run<Group>(sql.groups, [queue])) {
    const gs = g.lane === null ? sql.unnamed : sql.named;
    let after = PRIORITY_MIN - 1;
    for (;;) {
      const [level] = await s.run<{ priority: number }>(gs.nextPriority, [queue, g.limiter, g.lane, after]);
      if (level === undefined) break;
      const [row] = await s.run<{ runAt: number }>(gs.earliestAtPriority, [queue, g.limiter, g.lane, level.priority]);
      if (row !== undefined && (earliest === null || row.runAt < earliest)) earliest = row.runAt;
      after = level.priority;
    }
  }
  return earliest;
}

/** A limiter's use now (reads only; one transaction gives the caller one snapshot if it wants one). */
export async function limiterStatus(s: Run, sql: LimiterSql, id: string, nowParam: number | null): Promise<LimiterUsage | null> {
  const [row] = await s.run<LimiterRow & { rateLog: string }>(sql.limiterRead, [id]);
  if (row === undefined) return null;
  const now = nowParam ?? (await s.run<{ now: number }>(sql.now, [null]))[0]!.now;
  const running = await s.run<LimiterUsage['running'][number]>(sql.limiterRunning, [id, now]);
  const waiting = await s.run<LimiterUsage['waiting'][number]>(sql.limiterWaiting, [id, now]);
  const log = row.ratePerMs === null ? [] : liveLog(parseLog(row.rateLog), now, row.ratePerMs);
  return {
    id, running, waiting, rateUsed: log.reduce((n, [, c]) => n + c, 0), rateNextFreeAt: log.length > 0 && row.ratePerMs !== null ? log[0]![0] + row.ratePerMs : null,
  };
}

/** Locks the rows of the bounded queues among `jobs`' queues (until the insert commits); their capacities by name. */
export async function lockBoundedQueues(s: Run, sql: LimiterSql, jobs: readonly NewJob[]): Promise<Map<string, number>> {
  const names = [...new Set(jobs.map((j) => j.queue))];
  const rows = await s.run<{ name: string; capacity: number }>(sql.lockBounded, [names]);
  return new Map(rows.map((r) => [r.name, r.capacity]));
}

/** QUEUE_FULL when the insert took a bounded queue past its capacity (counted under the queue's lock: exact). */
export async function checkCapacity(s: Run, sql: LimiterSql, bounded: ReadonlyMap<string, number>, jobs: readonly NewJob[], out: readonly InsertResult[]): Promise<void> {
  const added = new Map<string, number>();
  for (let i = 0; i < jobs.length; i++) if (out[i]!.outcome === 'created') added.set(jobs[i]!.queue, (added.get(jobs[i]!.queue) ?? 0) + 1);
  for (const [queue, n] of added) {
    const capacity = bounded.get(queue);
    if (capacity === undefined) continue;
    const [row] = await s.run<{ count: number }>(sql.queueActiveUpTo, [queue, capacity]);
    if (Number(row!.count) > capacity) throw queueFull(queue, capacity, n);
  }
}
