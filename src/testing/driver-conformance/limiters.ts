/**
 * Conformance: flow control at the seam — limiters (concurrency, reserved lanes and lending, sliding-window rate),
 * partition keys (one running job per key, in key order, strict and lenient), queue capacity, limiter status.
 */
import { describe, expect, it } from 'vitest';
import { isKairosError } from '../../core/errors.js';
import type { ClaimedJob, LimiterWrite } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

function limiter(id: string, over: Partial<LimiterWrite> = {}): LimiterWrite {
  return { id, concurrency: null, lanes: '{}', lend: false, rateLimit: null, ratePerMs: null, ...over };
}

export function limiterConformance(target: ConformanceTarget): void {
  describe('limiters and flow control', () => {
    const driver = useDriver(target);
    const claim = (queue: string, limit = 10, now = T0, leaseMs = 60_000) => driver().jobClaim({ queue, limit, owner: 'w', leaseMs, now });
    const complete = (jobs: readonly ClaimedJob[], now = T0) =>
      driver().jobFinishMany({
        items: jobs.map((j) => ({ id: j.id, owner: 'w', attempt: j.attempt, startedAt: j.startedAt, outcome: 'completed', state: 'completed', countsAttempt: true })),
        now,
      });
    const insert = (n: number, over: Parameters<typeof newJob>[0] = {}) =>
      driver().jobInsertMany({ jobs: Array.from({ length: n }, (_, i) => newJob({ runAt: T0 - 1000 + i, ...over })), now: T0 });
    const payloads = (jobs: readonly ClaimedJob[]) => jobs.map((j) => JSON.parse(j.payload) as unknown);

    it('stores limiters: create, replace (version up), get, list, delete', async () => {
      const made = await driver().limiterUpsert({ limiter: limiter('gateway', { concurrency: 3, lanes: '{"signup":{"reserved":1}}', lend: true }), now: T0 });
      expect(made).toMatchObject({ created: true, row: { id: 'gateway', concurrency: 3, lend: true, version: 1, createdAt: T0 } });
      const again = await driver().limiterUpsert({ limiter: limiter('gateway', { concurrency: 4, rateLimit: 10, ratePerMs: 1000 }), now: T0 + 5 });
      expect(again).toMatchObject({ created: false, row: { concurrency: 4, lend: false, rateLimit: 10, ratePerMs: 1000, version: 2, updatedAt: T0 + 5 } });
      await driver().limiterUpsert({ limiter: limiter('mail', { rateLimit: 1, ratePerMs: 10 }), now: T0 });
      expect((await driver().limiterList()).map((l) => l.id)).toEqual(['gateway', 'mail']);
      expect(await driver().limiterDelete({ id: 'mail' })).toBe(true);
      expect(await driver().limiterDelete({ id: 'mail' })).toBe(false);
      expect(await driver().limiterGet({ id: 'mail' })).toBeNull();
    });

    it('counts running attempts across queues, frees a slot when an attempt ends or its lease expires', async () => {
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 2 }), now: T0 });
      await insert(3, { queue: 'a', limiter: 'gw' });
      await insert(3, { queue: 'b', limiter: 'gw' });
      const first = await claim('a', 10, T0, 1000);
      expect(first).toHaveLength(2);
      expect(first[0]).toMatchObject({ limiter: 'gw', lane: null });
      const full = await claim('b');
      expect(full).toHaveLength(0);
      expect(full.held).toBe(true);
      await complete(first.slice(0, 1));
      expect(await claim('b')).toHaveLength(1);
      // The other attempt's lease ended at T0 + 1000: its slot is free even before the rescuer moves it.
      expect(await claim('b', 10, T0 + 1001)).toHaveLength(1);
      expect(await claim('a', 10, T0 + 1001)).toHaveLength(0);
    });

    it('applies a limiter change from the next claim; a job naming no existing limiter waits', async () => {
      await insert(4, { limiter: 'gw' });
      expect(await claim('q')).toHaveLength(0);
      expect(await driver().jobNextDue({ queues: ['q'] })).toBe(T0 - 1000);
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 1 }), now: T0 });
      expect(await claim('q')).toHaveLength(1);
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 3 }), now: T0 });
      expect(await claim('q')).toHaveLength(2);
    });

    it('keeps a lane\'s reserved slots from other lanes without lend', async () => {
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 3, lanes: '{"signup":{"reserved":1}}' }), now: T0 });
      await insert(5, { queue: 'renewals', limiter: 'gw', lane: 'renewal' });
      expect(await claim('renewals')).toHaveLength(2);
      await insert(3, { queue: 'signups', limiter: 'gw', lane: 'signup' });
      expect(await claim('signups')).toHaveLength(1);
      expect(await claim('renewals')).toHaveLength(0);
      expect(await claim('signups')).toHaveLength(0);
    });

    it('lends an idle reserved slot and takes it back at the next free slot', async () => {
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 3, lanes: '{"signup":{"reserved":1}}', lend: true }), now: T0 });
      await insert(6, { queue: 'renewals', limiter: 'gw', lane: 'renewal' });
      const running = await claim('renewals');
      expect(running).toHaveLength(3);
      await insert(1, { queue: 'signups', limiter: 'gw', lane: 'signup' });
      // Full: nothing is preempted.
      expect(await claim('signups')).toHaveLength(0);
      await complete(running.slice(0, 1));
      // The freed slot goes back to the lane with due work, not to the renewals.
      expect(await claim('renewals')).toHaveLength(0);
      expect(await claim('signups')).toHaveLength(1);
      const status = await driver().limiterStatus({ id: 'gw', now: T0 });
      expect(status?.running.sort((a, b) => (a.lane ?? '').localeCompare(b.lane ?? ''))).toEqual([{ lane: 'renewal', count: 2 }, { lane: 'signup', count: 1 }]);
      expect(status?.waiting).toEqual([{ lane: 'renewal', count: 3, oldestRunAt: T0 - 997 }]);
    });

    it('claims in priority, runAt, id order inside a lane', async () => {
      await driver().limiterUpsert({ limiter: limiter('gw', { concurrency: 2 }), now: T0 });
      await driver().jobInsertMany({
        jobs: [
          newJob({ payload: '"late"', runAt: T0 - 10, limiter: 'gw' }),
          newJob({ payload: '"urgent"', runAt: T0 - 1, priority: -5, limiter: 'gw' }),
          newJob({ payload: '"free"', runAt: T0 - 5, priority: -1 }),
          newJob({ payload: '"early"', runAt: T0 - 20, limiter: 'gw' }),
        ],
        now: T0,
      });
      expect(payloads(await claim('q', 3))).toEqual(['urgent', 'free', 'early']);
    });

    it('never starts more than the rate allows in any window, and says when the next start fits', async () => {
      await driver().limiterUpsert({ limiter: limiter('api', { rateLimit: 3, ratePerMs: 1000 }), now: T0 });
      await insert(10, { limiter: 'api' });
      const a = await claim('q', 2, T0);
      expect(a).toHaveLength(2);
      const b = await claim('q', 10, T0 + 400);
      expect(b).toHaveLength(1);
      expect(b.retryAt).toBe(T0 + 1000);
      const held = await claim('q', 10, T0 + 999);
      expect([...held]).toEqual([]);
      expect(held.retryAt).toBe(T0 + 1000);
      // At T0 + 1000 the two starts of T0 leave the window; the one of T0 + 400 is still in it.
      expect(await claim('q', 10, T0 + 1000)).toHaveLength(2);
      expect(await claim('q', 10, T0 + 1399)).toHaveLength(0);
      expect(await claim('q', 10, T0 + 1400)).toHaveLength(1);
      // A job held back by the rate keeps its place: nothing moved, no attempt counted.
      const waiting = (await driver().jobList({ queue: 'q', state: 'scheduled', limit: 10 })).jobs;
      expect(waiting.every((j) => j.attempt === 0 && j.runAt < T0)).toBe(true);
      expect(await driver().limiterStatus({ id: 'api', now: T0 + 1400 })).toMatchObject({ rateUsed: 3, rateNextFreeAt: T0 + 2000 });
    });

    it('runs one job per partition key at a time, in runAt then id order; other keys pass', async () => {
      await driver().jobInsertMany({
        jobs: [
          newJob({ payload: '"a2"', runAt: T0 - 5, partitionKey: 'u1' }),
          newJob({ payload: '"a1"', runAt: T0 - 10, partitionKey: 'u1' }),
          newJob({ payload: '"a3"', runAt: T0 - 5, partitionKey: 'u1' }),
          newJob({ payload: '"b1"', runAt: T0 - 1, partitionKey: 'u2' }),
          newJob({ payload: '"c"', runAt: T0 - 2 }),
        ],
        now: T0,
      });
      const first = await claim('q');
      expect(payloads(first)).toEqual(['a1', 'c', 'b1']);
      expect(await claim('q')).toHaveLength(0);
      await complete(first.filter((j) => j.partitionKey === 'u1'));
      const second = await claim('q');
      expect(payloads(second)).toEqual(['a2']);
      // Cancelling the holder passes the turn on too.
      await driver().jobCancel({ id: second[0]!.id, now: T0 });
      expect(payloads(await claim('q'))).toEqual(['a3']);
    });

    it('strict keys hold the line through a retry; lenient keys let the next job pass', async () => {
      for (const [queue, mode] of [['s', 'strict'], ['l', 'lenient']] as const) {
        await driver().jobInsertMany({
          jobs: [newJob({ queue, payload: '"first"', runAt: T0 - 10, partitionKey: 'k', partitionMode: mode }), newJob({ queue, payload: '"second"', runAt: T0 - 5, partitionKey: 'k', partitionMode: mode })],
          now: T0,
        });
        const [job] = await claim(queue);
        await driver().jobFinishMany({
          items: [{ id: job!.id, owner: 'w', attempt: 1, startedAt: T0, outcome: 'failed', state: 'scheduled', runAt: T0 + 5000, countsAttempt: true, error: '{}' }],
          now: T0,
        });
      }
      expect(await claim('s', 10, T0 + 1)).toHaveLength(0);
      expect(payloads(await claim('s', 10, T0 + 5000))).toEqual(['first']);
      const passed = await claim('l', 10, T0 + 1);
      expect(payloads(passed)).toEqual(['second']);
      await complete(passed, T0 + 2);
      expect(await claim('l', 10, T0 + 3)).toHaveLength(0);
      expect(payloads(await claim('l', 10, T0 + 5000))).toEqual(['first']);
    });

    it('refuses an enqueue past a queue\'s capacity and stores nothing of it', async () => {
      await driver().queueUpsert({ queue: { name: 'q', capacity: 3, concurrency: null, limiter: null, lane: null, target: null, fallback: null, jobOptions: null }, now: T0 });
      await insert(2);
      const error = await insert(2).catch((e: unknown) => e);
      expect(isKairosError(error, 'QUEUE_FULL')).toBe(true);
      const keyed = await driver().jobInsertMany({ jobs: [newJob({ key: 'k1' }), newJob({ key: 'k2' })], now: T0 }).catch((e: unknown) => e);
      expect(isKairosError(keyed, 'QUEUE_FULL')).toBe(true);
      expect(await driver().jobCounts({ queue: 'q' })).toEqual([{ queue: 'q', state: 'scheduled', count: 2 }]);
      await insert(1);
      // Running jobs count too; a finished one frees its place.
      const running = await claim('q', 1);
      expect(isKairosError(await insert(1).catch((e: unknown) => e), 'QUEUE_FULL')).toBe(true);
      await complete(running);
      await insert(1);
    });

    it('gives a job its queue\'s limiter and lane at enqueue unless it names its own', async () => {
      await driver().queueUpsert({ queue: { name: 'q', capacity: null, concurrency: null, limiter: 'gw', lane: 'renewal', target: null, fallback: null, jobOptions: null }, now: T0 });
      const [a, b, c] = await driver().jobInsertMany({ jobs: [newJob(), newJob({ lane: 'signup' }), newJob({ limiter: 'other' })], now: T0 });
      expect(await driver().jobGet({ id: a!.id })).toMatchObject({ limiter: 'gw', lane: 'renewal' });
      expect(await driver().jobGet({ id: b!.id })).toMatchObject({ limiter: 'gw', lane: 'signup' });
      expect(await driver().jobGet({ id: c!.id })).toMatchObject({ limiter: 'other', lane: null });
    });
  });
}
