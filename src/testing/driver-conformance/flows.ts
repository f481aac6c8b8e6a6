/**
 * Conformance: flows (migration 007). Dependencies hold a job out of the claim until they end, and their end
 * releases or cancels it in the same call; batches; fallbacks on a final failure; watched jobs announce their end;
 * bulk actions and filtered lists.
 */
import { describe, expect, it } from 'vitest';
import type { FinishItem, StoreNotification } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

const done = (id: number, owner = 'w', attempt = 1): FinishItem => ({ id, owner, attempt, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true });
const fail = (id: number, owner = 'w', attempt = 1): FinishItem => ({ id, owner, attempt, startedAt: T0, outcome: 'unrecoverable', state: 'failed', countsAttempt: true, error: '{"name":"E","message":"x"}' });

export function flowConformance(target: ConformanceTarget): void {
  describe('flows: dependencies, batches, fallbacks, watches, bulk actions', () => {
    const driver = useDriver(target);
    const claim = (queue: string, now: number, limit = 10) => driver().jobClaim({ queue, limit, owner: 'w', leaseMs: 60_000, now });

    it('holds a dependent out of the claim; the finish of its last dependency releases it at max(runAfter, now)', async () => {
      const [a, b] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'p' }), newJob({ queue: 'p' })], now: T0 });
      const [c] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'c', runAt: T0 + 50, dependsOn: [a!.id, b!.id], dependencyPolicy: 'cancel' })], now: T0 });
      expect(await driver().jobGet({ id: c!.id })).toMatchObject({ state: 'scheduled', dependenciesPending: 2, runAfter: T0 + 50, dependsOn: JSON.stringify([a!.id, b!.id]) });
      await claim('p', T0);
      expect(await claim('c', T0 + 100)).toEqual([]);
      expect(await driver().jobFinishMany({ items: [done(a!.id)], now: T0 + 10 })).toEqual([true]);
      expect((await driver().jobGet({ id: c!.id }))!.dependenciesPending).toBe(1);
      // The finish and the claim of the released job in one call: the release is visible to the claim.
      const r = await driver().jobFinishAndClaim({ items: [done(b!.id)], claim: { queue: 'c', limit: 5, owner: 'w', leaseMs: 1000 }, now: T0 + 60 });
      expect(r.finished).toEqual([true]);
      expect(r.claimed.map((j) => j.id)).toEqual([c!.id]);
      expect(r.claimed[0]!.runAt).toBe(T0 + 60);
    });

    it('cancels dependents of a job that did not complete (policy cancel), and theirs in turn; policy run releases', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'p' })], now: T0 });
      const [c1, c2] = await driver().jobInsertMany({ jobs: [
        newJob({ queue: 'c', dependsOn: [a!.id], dependencyPolicy: 'cancel' }),
        newJob({ queue: 'c', dependsOn: [a!.id], dependencyPolicy: 'run', runAt: T0 }),
      ], now: T0 });
      const [g] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'c', dependsOn: [c1!.id], dependencyPolicy: 'cancel' })], now: T0 });
      await claim('p', T0);
      await driver().jobFinishMany({ items: [fail(a!.id)], now: T0 + 5 });
      expect(await driver().jobGet({ id: c1!.id })).toMatchObject({ state: 'cancelled', finishedAt: T0 + 5 });
      expect(JSON.parse((await driver().jobGet({ id: c1!.id }))!.lastError!)).toEqual({ name: 'DependencyFailed', message: `dependency job ${a!.id} ended failed` });
      expect(await driver().jobGet({ id: g!.id })).toMatchObject({ state: 'cancelled' });
      expect(await driver().jobGet({ id: c2!.id })).toMatchObject({ state: 'scheduled', dependenciesPending: 0, runAt: T0 + 5 });
    });

    it('a cancel, a rescue that fails a job and a deadline passed in the claim end it for its dependents too', async () => {
      const [a, b, d] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'p' }), newJob({ queue: 'r', maxAttempts: 1 }), newJob({ queue: 'x', deadline: T0 + 1 })], now: T0 });
      const deps = await driver().jobInsertMany({ jobs: [a!, b!, d!].map((j) => newJob({ queue: 'c', dependsOn: [j.id], dependencyPolicy: 'cancel' })), now: T0 });
      await driver().jobCancel({ id: a!.id, now: T0 + 1 });
      await claim('r', T0);
      await driver().jobRescueExpired({ now: T0 + 120_000, limit: 10 });
      expect(await claim('x', T0 + 5)).toMatchObject([{ id: d!.id, state: 'expired' }]);
      await driver().jobResolveFlows({ limit: 10, now: T0 + 6 });
      for (const j of deps) expect((await driver().jobGet({ id: j.id }))!.state).toBe('cancelled');
      expect(await driver().jobResolveFlows({ limit: 10, now: T0 + 7 })).toBe(0);
    });

    it('refuses an unknown dependency naming it; one already failed cancels the new job at once', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'p' })], now: T0 });
      await expect(driver().jobInsertMany({ jobs: [newJob({ dependsOn: [a!.id, 999_999], dependencyPolicy: 'cancel' })], now: T0 }))
        .rejects.toMatchObject({ code: 'JOB_NOT_FOUND', details: { field: 'dependsOn[1]' } });
      await driver().jobCancel({ id: a!.id, now: T0 });
      const [late] = await driver().jobInsertMany({ jobs: [newJob({ dependsOn: [a!.id], dependencyPolicy: 'cancel' })], now: T0 + 1 });
      expect(late!.state).toBe('cancelled');
      expect(await driver().jobGet({ id: late!.id })).toMatchObject({ state: 'cancelled', finishedAt: T0 + 1 });
    });

    it('creates a batch whose completion job is released once, when the last member ends', async () => {
      const made = await driver().batchCreate({
        jobs: [newJob({ queue: 'm' }), newJob({ queue: 'm' }), newJob({ queue: 'm' })],
        completion: newJob({ queue: 'done', payload: '{"album":1}' }), now: T0,
      });
      expect(await driver().batchGet({ id: made.batchId })).toMatchObject({ total: 3, completionJobId: made.completionJobId, counts: { scheduled: 3 } });
      const members = await claim('m', T0);
      await driver().jobFinishMany({ items: [done(members[0]!.id), fail(members[1]!.id)], now: T0 + 1 });
      expect(await claim('done', T0 + 2)).toEqual([]);
      await driver().jobFinishMany({ items: [done(members[2]!.id)], now: T0 + 3 });
      const [completion] = await claim('done', T0 + 4);
      expect(completion).toMatchObject({ id: made.completionJobId });
      expect(JSON.parse(completion!.payload)).toEqual({ batchId: made.batchId, payload: { album: 1 } });
      expect((await driver().batchGet({ id: made.batchId }))!.counts).toEqual({ completed: 2, failed: 1 });
      expect(await driver().batchGet({ id: 999_999 })).toBeNull();
    });

    it('gives a job that fails finally one fallback job, on a failed attempt and on a failed rescue', async () => {
      await driver().queueUpsert({ queue: { name: 'push', capacity: null, concurrency: null, limiter: null, lane: null, target: null, fallback: 'sms', jobOptions: null }, now: T0 });
      const [a, b] = await driver().jobInsertMany({ jobs: [newJob({ queue: 'push', payload: '{"u":1}', tags: '["t"]' }), newJob({ queue: 'push', maxAttempts: 1 })], now: T0 });
      await claim('push', T0);
      await driver().jobFinishMany({ items: [fail(a!.id)], now: T0 + 1 });
      await driver().jobRescueExpired({ now: T0 + 120_000, limit: 10 });
      const sms = (await driver().jobList({ queue: 'sms', limit: 10 })).jobs;
      expect(sms.map((j) => j.fallbackOf).sort()).toEqual([a!.id, b!.id].sort());
      expect(sms.find((j) => j.fallbackOf === a!.id)).toMatchObject({ payload: '{"u":1}', tags: '["t"]', state: 'scheduled', runAt: T0 + 1 });
      expect((await driver().jobGet({ id: a!.id }))!.fallbackJobId).toBe(sms.find((j) => j.fallbackOf === a!.id)!.id);
      // Replayed and failed again: no second fallback.
      await driver().jobReplay({ id: a!.id, now: T0 + 200_000 });
      const [again] = await claim('push', T0 + 200_000);
      await driver().jobFinishMany({ items: [fail(again!.id, 'w', again!.attempt)], now: T0 + 200_001 });
      expect((await driver().jobList({ queue: 'sms', limit: 10 })).jobs).toHaveLength(2);
    });

    it('announces the end of a watched job to subscribers', async (ctx) => {
      const d = driver();
      if (d.subscribe === undefined) return ctx.skip();
      const heard: StoreNotification[] = [];
      const sub = await d.subscribe((n) => heard.push(n));
      try {
        const [a, b] = await d.jobInsertMany({ jobs: [newJob({ queue: 'w' }), newJob({ queue: 'w' })], now: T0 });
        expect(await d.jobWatch({ id: a!.id })).toMatchObject({ id: a!.id, state: 'scheduled' });
        expect(await d.jobWatch({ id: 999_999 })).toBeNull();
        await claim('w', T0);
        await d.jobFinishMany({ items: [done(a!.id), done(b!.id)], now: T0 + 1 });
        for (let i = 0; i < 100 && !heard.some((n) => n.kind === 'job-finished'); i++) await new Promise((r) => setTimeout(r, 20));
        expect(heard.filter((n) => n.kind === 'job-finished')).toEqual([{ kind: 'job-finished', id: a!.id, queue: 'w', state: 'completed' }]);
      } finally {
        await sub.close();
      }
    });

    it('lists by filter and cancels, replays and deletes by filter a batch at a time', async () => {
      const jobs = await driver().jobInsertMany({ jobs: Array.from({ length: 7 }, (_, i) => newJob({ queue: 'b', key: `k${i}`, tags: i < 4 ? '["x"]' : null, runAt: T0 + i })), now: T0 });
      const ids = jobs.map((j) => j.id);
      expect((await driver().jobList({ tag: 'x', limit: 10 })).jobs.map((j) => j.id)).toEqual(ids.slice(0, 4).reverse());
      expect((await driver().jobList({ queue: 'b', keyPrefix: 'k1', limit: 10 })).jobs.map((j) => j.id)).toEqual([ids[1]]);
      expect((await driver().jobList({ runAtFrom: T0 + 5, limit: 10 })).jobs.map((j) => j.id)).toEqual([ids[6], ids[5]]);
      const first = await driver().jobCancelMany({ filter: { tag: 'x', states: ['scheduled'] }, limit: 3, now: T0 });
      expect(first).toMatchObject({ changed: 3, nextCursor: ids[1] });
      expect(await driver().jobCancelMany({ filter: { tag: 'x', states: ['scheduled'] }, cursor: first.nextCursor!, limit: 3, now: T0 })).toMatchObject({ changed: 1, nextCursor: null });
      expect(await driver().jobReplayMany({ filter: { queue: 'b', states: ['cancelled'] }, limit: 10, now: T0 + 1 })).toMatchObject({ changed: 4, nextCursor: null });
      await driver().jobCancelMany({ filter: { queue: 'b' }, limit: 10, now: T0 + 2 });
      expect(await driver().jobDeleteMany({ filter: { tag: 'x' }, limit: 10 })).toMatchObject({ changed: 4 });
      expect((await driver().jobList({ tag: 'x', limit: 10 })).jobs).toEqual([]);
      expect(await driver().jobGet({ id: ids[0]! })).toBeNull();
      expect(await driver().attemptListByJob({ jobId: ids[0]! })).toEqual([]);
      // Pruned jobs lose their tag rows too.
      expect(await driver().jobPrune({ finishedBefore: T0 + 10, failedBefore: T0 + 10, limit: 10 })).toBe(3);
    });
  });
}
