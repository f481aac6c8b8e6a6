/** Stored limiter rows to and from the pure limiter math (core/limiter.ts); shared by both drivers. */
import { KairosError } from '../core/errors.js';
import type { LimiterSpec, RateLog } from '../core/limiter.js';
import type { LimiterRow, LimiterWrite } from './driver.js';

/** The spec the claim obeys, from a stored row. */
export function specOf(row: Pick<LimiterRow, 'id' | 'concurrency' | 'lanes' | 'lend' | 'rateLimit' | 'ratePerMs'>): LimiterSpec {
  return {
    id: row.id, concurrency: row.concurrency, lanes: JSON.parse(row.lanes) as LimiterSpec['lanes'], lend: row.lend,
    rate: row.rateLimit !== null && row.ratePerMs !== null ? { limit: row.rateLimit, perMs: row.ratePerMs } : null,
  };
}

/** The row a spec is stored as. */
export function writeOf(spec: LimiterSpec): LimiterWrite {
  return {
    id: spec.id, concurrency: spec.concurrency, lanes: JSON.stringify(spec.lanes), lend: spec.lend,
    rateLimit: spec.rate?.limit ?? null, ratePerMs: spec.rate?.perMs ?? null,
  };
}

/** A stored rate log; a malformed one counts as empty rather than stopping every claim of the limiter. */
export function parseLog(text: string): RateLog {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as RateLog) : [];
  } catch {
    return [];
  }
}

/** A candidate of a claim: enough of a due job to order and admit it. */
export interface FlowCandidate {
  id: number;
  priority: number;
  runAt: number;
  deadline: number | null;
  limiter: string | null;
  lane: string | null;
}

/** Claim order: priority, runAt, id. */
export function byClaimOrder(a: FlowCandidate, b: FlowCandidate): number {
  return a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;
}

/** The error of an enqueue that would take a bounded queue past its capacity. */
export function queueFull(queue: string, capacity: number, adding: number): KairosError {
  return new KairosError('QUEUE_FULL', `queue "${queue}" is full: it may hold ${capacity} jobs pending or running, and this enqueue of ${adding} would go past that; nothing was stored`, {
    details: { field: 'queue', queue, capacity, adding },
  });
}
