/**
 * On a store that pushes notifications, instances hear each other without polling: new work wakes an idle instance,
 * a cancel reaches the handler on the instance running the job (reason 'cancelled'), and a schedule change wakes the
 * materializers. Polling is set to a minute, so only a notification can explain a prompt reaction.
 */
import { expect, it } from 'vitest';
import { JobAbortedError } from '../../src/core/job.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

const SLOW_POLL = { pollIntervalMs: 60_000, heartbeatMs: 60_000, leaseMs: 180_000, rescueIntervalMs: 60_000 };

describeEachStore('notifications between instances', ({ target, openKairos, openAnother }) => {
  it('new work, cancels and schedule changes reach the other instance at once', async (ctx) => {
    const a = await openKairos(SLOW_POLL);
    if (!a.kairos.driver.capabilities.listenNotify) return ctx.skip();
    const b = await openAnother(a, SLOW_POLL);
    let reason: unknown;
    b.handle('q', (_job, jobCtx) => new Promise((resolve) => {
      jobCtx.signal.addEventListener('abort', () => {
        reason = jobCtx.signal.reason;
        resolve(undefined);
      });
    }));
    b.handle('tick', async () => undefined);
    await b.start();
    await b.idle();
    const started = waitForEvent(b, 'job:started', () => true, 5_000);
    const job = await a.kairos.enqueue('q', {});
    expect((await started).id).toBe(job.id);
    const lost = waitForEvent(b, 'job:lease-lost', () => true, 5_000);
    expect(await a.kairos.cancel(job.id)).toBe(true);
    await lost;
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe('cancelled');
    const ticked = waitForEvent(b, 'schedule:occurrence', () => true, 5_000);
    // b's materializer sleeps until its next poll, a minute away; only the notification makes it look at a schedule
    // that fires in one second.
    await a.kairos.schedules.upsert({ id: `every-${target.name}`, queue: 'tick', rule: { everyMs: 1_000 } });
    await b.idle();
    await a.clock.advance(1_000);
    expect((await ticked).status).toBe('enqueued');
  });
});
