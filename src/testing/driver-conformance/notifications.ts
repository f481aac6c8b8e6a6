/**
 * Conformance: notifications, for drivers whose capabilities say `listenNotify`. A second driver on the same store
 * (another instance) hears new work, cancels of running jobs and schedule changes, and only once they commit.
 */
import { describe, expect, it } from 'vitest';
import type { Driver, StoreNotification } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

/** Collects notifications and resolves a wait when one matching `match` arrives (or rejects after `ms`). */
function collector() {
  const seen: StoreNotification[] = [];
  const waiters: { match: (n: StoreNotification) => boolean; resolve: (n: StoreNotification) => void }[] = [];
  return {
    seen,
    listener(n: StoreNotification): void {
      seen.push(n);
      for (const w of waiters.splice(0)) {
        if (w.match(n)) w.resolve(n);
        else waiters.push(w);
      }
    },
    wait(match: (n: StoreNotification) => boolean, ms = 5_000): Promise<StoreNotification> {
      const found = seen.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching notification within ${ms} ms; saw ${JSON.stringify(seen)}`)), ms);
        waiters.push({ match, resolve: (n) => (clearTimeout(timer), resolve(n)) });
      });
    },
  };
}

export function notificationConformance(target: ConformanceTarget & { second?(first: Driver): Promise<Driver> }): void {
  describe('notifications (listenNotify)', () => {
    const driver = useDriver(target);

    it('declares the capability and the subscribe method together', () => {
      const caps = driver().capabilities;
      expect(caps.listenNotify || caps.localNotify === true).toBe(driver().subscribe !== undefined);
    });

    it('tells subscribers of new work, cancels of running jobs and schedule changes', async (ctx) => {
      if (!driver().capabilities.listenNotify) return ctx.skip();
      const heard = collector();
      const sub = await driver().subscribe!((n) => heard.listener(n));
      try {
        await driver().jobInsertMany({ jobs: [newJob({ queue: 'mail', runAt: T0 + 5 })], now: T0 });
        expect(await heard.wait((n) => n.kind === 'job-available')).toEqual({ kind: 'job-available', queue: 'mail', runAt: T0 + 5 });
        const [c] = await driver().jobClaim({ queue: 'mail', limit: 1, owner: 'w1', leaseMs: 1000, now: T0 + 5 });
        await driver().jobCancel({ id: c!.id, now: T0 + 6 });
        expect(await heard.wait((n) => n.kind === 'job-cancelled')).toEqual({ kind: 'job-cancelled', id: c!.id, queue: 'mail', owner: 'w1' });
        await driver().calendarUpsert({ name: 'kr', dates: ['2026-01-01'], now: T0 });
        await heard.wait((n) => n.kind === 'schedule-changed');
      } finally {
        await sub.close();
      }
    });
  });
}
