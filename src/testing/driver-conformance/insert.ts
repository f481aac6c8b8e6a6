/** Conformance: jobInsertMany, dedupe policies, jobGet. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

export function insertConformance(target: ConformanceTarget): void {
  describe('jobInsertMany', () => {
    const driver = useDriver(target);

    it('stores jobs as scheduled with every field', async () => {
      const [r] = await driver().jobInsertMany({
        jobs: [newJob({ payload: '{"a":1}', runAt: T0 + 5, priority: 3, maxAttempts: 7, backoff: '{"type":"fixed","delayMs":5}', timeoutMs: 100, deadline: T0 + 50, tags: '["x"]' })],
        now: T0,
      });
      expect(r).toMatchObject({ state: 'scheduled', runAt: T0 + 5, outcome: 'created' });
      const row = await driver().jobGet({ id: r!.id });
      expect(row).toMatchObject({
        queue: 'q', state: 'scheduled', payload: '{"a":1}', priority: 3, runAt: T0 + 5, attempt: 0, maxAttempts: 7, timeoutMs: 100,
        deadline: T0 + 50, tags: '["x"]', owner: null, createdAt: T0, finishedAt: null,
      });
    });

    it('returns the id of every job of a large mixed batch, in order', async () => {
      const jobs = Array.from({ length: 237 }, (_, i) => newJob({ payload: String(i), key: i % 40 === 7 ? `k${i}` : null, runAt: T0 + i }));
      const rs = await driver().jobInsertMany({ jobs, now: T0 });
      expect(new Set(rs.map((r) => r.id)).size).toBe(237);
      for (const [i, r] of rs.entries()) {
        expect(r).toMatchObject({ outcome: 'created', runAt: T0 + i });
        expect(await driver().jobGet({ id: r.id })).toMatchObject({ payload: String(i), key: i % 40 === 7 ? `k${i}` : null });
      }
    });

    it('gives ids in insertion order', async () => {
      const rs = await driver().jobInsertMany({ jobs: [newJob(), newJob(), newJob()], now: T0 });
      expect(rs[0]!.id).toBeLessThan(rs[1]!.id);
      expect(rs[1]!.id).toBeLessThan(rs[2]!.id);
    });

    it('keep: a second job with the same key returns the first', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '1' })], now: T0 });
      const [b] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '2' })], now: T0 });
      expect(b).toMatchObject({ id: a!.id, outcome: 'kept' });
      expect((await driver().jobGet({ id: a!.id }))!.payload).toBe('1');
    });

    it('reject: a second job with the same key fails and stores nothing of its batch', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
      await expect(driver().jobInsertMany({ jobs: [newJob({ key: 'other' }), newJob({ key: 'k', dedupe: 'reject' })], now: T0 })).rejects.toMatchObject({
        code: 'DUPLICATE_KEY',
      });
      const page = await driver().jobList({ limit: 10 });
      expect(page.jobs).toHaveLength(1);
    });

    it('replace: rewrites a pending job in place', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '1', runAt: T0 + 100 })], now: T0 });
      const [b] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '2', runAt: T0 + 200, dedupe: 'replace' })], now: T0 });
      expect(b).toMatchObject({ id: a!.id, outcome: 'replaced', runAt: T0 + 200 });
      expect(await driver().jobGet({ id: a!.id })).toMatchObject({ payload: '2', runAt: T0 + 200 });
    });

    it('replace: keeps a job that has started', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '1', runAt: T0 })], now: T0 });
      await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
      const [b] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', payload: '2', dedupe: 'replace' })], now: T0 });
      expect(b).toMatchObject({ id: a!.id, outcome: 'kept', state: 'running' });
      expect((await driver().jobGet({ id: a!.id }))!.payload).toBe('1');
    });

    it('frees a key when its job is cancelled', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
      await driver().jobCancel({ id: a!.id, now: T0 });
      const [b] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
      expect(b!.outcome).toBe('created');
      expect(b!.id).not.toBe(a!.id);
    });

    it('keys are per queue', async () => {
      const [a] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', queue: 'a' })], now: T0 });
      const [b] = await driver().jobInsertMany({ jobs: [newJob({ key: 'k', queue: 'b' })], now: T0 });
      expect(b!.id).not.toBe(a!.id);
    });

    it('jobGet returns null for an unknown id', async () => {
      expect(await driver().jobGet({ id: 424242 })).toBeNull();
    });
  });
}
