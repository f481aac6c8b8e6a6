/** What the end of a job sets off on SQLite, written in the transaction that writes the end (see flow-ops.ts). */
import type { StoreNotification } from '../driver.js';
import { STATE_CODE, STATE_NAME } from '../state-codes.js';
import type { Statements } from './statements.js';

type Notes = StoreNotification[];

/** The lastError of a job cancelled because a dependency did not complete. */
export function dependencyReason(id: number, state: string): string {
  return JSON.stringify({ name: 'DependencyFailed', message: `dependency job ${id} ended ${state}` });
}

/**
 * Writes what the end of `ids` sets off, in the caller's transaction: each job's waiters are told, its dependents
 * counted down (released at the last) or cancelled by policy, and cancelled dependents' own ends followed in turn.
 * Jobs without pending consequences cost one indexed UPDATE that changes nothing.
 */
export function endJobs(s: Statements, ids: readonly number[], now: number, notes: Notes): void {
  let frontier = ids;
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const id of frontier) {
      const t = s.flow.pendingEnd.get({ id }) as { id: number; queue: string; state: number; flow: number } | undefined;
      if (t === undefined) continue;
      s.flow.clear.run({ id });
      const state = STATE_NAME[t.state]!;
      if ((t.flow & 2) !== 0) notes.push({ kind: 'job-finished', id, queue: t.queue, state });
      if ((t.flow & 1) === 0) continue;
      const bad = state === 'completed' ? 0 : 1;
      const reason = bad === 1 ? dependencyReason(id, state) : null;
      const dependents = (s.flow.edgesTake.all({ id }) as { jobId: number }[]).map((e) => e.jobId).sort((a, b) => a - b);
      for (const d of dependents) {
        const r = s.flow.dependencyEnded.get({ id: d, bad, now, reason }) as { id: number; queue: string; state: number; runAt: number; pending: number } | undefined;
        if (r === undefined) continue;
        if (r.state === STATE_CODE.cancelled) next.push(r.id);
        else if (r.pending === 0) notes.push({ kind: 'job-available', queue: r.queue, runAt: r.runAt });
      }
    }
    frontier = next;
  }
}

/** The fallback job of a job that just failed finally, when its queue names one (at most one per job). */
export function fallbackFor(s: Statements, id: number, now: number, notes: Notes): void {
  const made = s.flow.fallbackCreate.get({ id, now }) as { id: number; queue: string; runAt: number } | undefined;
  if (made === undefined) return;
  s.flow.fallbackLink.run({ id, fallbackId: made.id });
  s.flow.tagsInsert.run({ id: made.id });
  notes.push({ kind: 'job-available', queue: made.queue, runAt: made.runAt });
}

