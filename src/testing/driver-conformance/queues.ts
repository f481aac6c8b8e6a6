/** Conformance: stored queues (settings, compare-and-set upsert, pause) and the claim's obedience to the pause flag. */
import { describe, expect, it } from 'vitest';
import type { QueueWrite } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

function settings(name: string, over: Partial<QueueWrite> = {}): QueueWrite {
  return { name, capacity: null, concurrency: null, limiter: null, lane: null, target: null, fallback: null, jobOptions: null, ...over };
}

export function queueConformance(target: ConformanceTarget): void {
  describe('queues', () => {
    const driver = useDriver(target);

    it('creates, reads, updates as compare-and-set, lists and deletes queue settings', async () => {
      expect(await driver().queueGet({ name: 'mail' })).toBeNull();
      const made = await driver().queueUpsert({ queue: settings('mail', { capacity: 10, target: '{"kind":"http"}' }), expectedVersion: null, now: T0 });
      expect(made).toMatchObject({ created: true, row: { name: 'mail', paused: false, capacity: 10, target: '{"kind":"http"}', version: 1, createdAt: T0, updatedAt: T0 } });
      // Create-only refuses an existing name; an update at a stale version writes nothing.
      expect(await driver().queueUpsert({ queue: settings('mail'), expectedVersion: null, now: T0 })).toBeNull();
      expect(await driver().queueUpsert({ queue: settings('mail', { capacity: 3 }), expectedVersion: 7, now: T0 })).toBeNull();
      const updated = await driver().queueUpsert({ queue: settings('mail', { capacity: 3, fallback: 'sms' }), expectedVersion: 1, now: T0 + 5 });
      expect(updated).toMatchObject({ created: false, row: { capacity: 3, fallback: 'sms', version: 2, createdAt: T0, updatedAt: T0 + 5 } });
      // Without an expected version: create or update, whatever is there.
      expect(await driver().queueUpsert({ queue: settings('sms', { concurrency: 4 }), now: T0 })).toMatchObject({ created: true });
      expect(await driver().queueUpsert({ queue: settings('sms', { concurrency: 5 }), now: T0 })).toMatchObject({ created: false, row: { concurrency: 5, version: 2 } });
      expect((await driver().queueList()).map((q) => q.name)).toEqual(['mail', 'sms']);
      expect(await driver().queueDelete({ name: 'sms' })).toBe(true);
      expect(await driver().queueDelete({ name: 'sms' })).toBe(false);
      expect((await driver().queueList()).map((q) => q.name)).toEqual(['mail']);
    });

    it('refuses settings the schema forbids and keeps the stored row', async () => {
      await driver().queueUpsert({ queue: settings('mail', { capacity: 2 }), now: T0 });
      await expect(driver().queueUpsert({ queue: settings('mail', { capacity: 0 }), now: T0 })).rejects.toThrow();
      await expect(driver().queueUpsert({ queue: settings('mail', { fallback: 'mail' }), now: T0 })).rejects.toThrow();
      expect(await driver().queueGet({ name: 'mail' })).toMatchObject({ capacity: 2, version: 1 });
    });

    it('pauses a queue without settings, keeps settings across pause and resume, and the claim obeys', async () => {
      await driver().jobInsertMany({ jobs: [newJob({ queue: 'q', runAt: T0 - 1 }), newJob({ queue: 'other', runAt: T0 - 1 })], now: T0 });
      const paused = await driver().queueSetPaused({ name: 'q', paused: true, now: T0 });
      expect(paused).toMatchObject({ name: 'q', paused: true, capacity: null, version: 1 });
      expect(await driver().jobClaim({ queue: 'q', limit: 10, owner: 'w', leaseMs: 1000, now: T0 })).toEqual([]);
      expect(await driver().jobClaim({ queue: 'other', limit: 10, owner: 'w', leaseMs: 1000, now: T0 })).toHaveLength(1);
      expect(await driver().jobGet({ id: 1 })).toMatchObject({ state: 'scheduled' });
      await driver().queueUpsert({ queue: settings('q', { capacity: 9 }), now: T0 + 1 });
      expect(await driver().queueGet({ name: 'q' })).toMatchObject({ paused: true, capacity: 9 });
      expect(await driver().queueSetPaused({ name: 'q', paused: false, now: T0 + 2 })).toMatchObject({ paused: false, capacity: 9, version: 3 });
      expect(await driver().jobClaim({ queue: 'q', limit: 10, owner: 'w', leaseMs: 1000, now: T0 + 2 })).toHaveLength(1);
    });

    it('tells subscribers when a queue changes', async (ctx) => {
      if (!driver().capabilities.listenNotify) return ctx.skip();
      const heard: unknown[] = [];
      let wake: () => void = () => undefined;
      const sub = await driver().subscribe!((n) => {
        heard.push(n);
        wake();
      });
      try {
        const got = new Promise<void>((resolve) => (wake = resolve));
        await driver().queueSetPaused({ name: 'mail', paused: true, now: T0 });
        await Promise.race([got, new Promise((r) => setTimeout(r, 5_000))]);
        expect(heard).toContainEqual({ kind: 'queue-changed', queue: 'mail' });
      } finally {
        await sub.close();
      }
    });
  });
}
