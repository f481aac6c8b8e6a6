/**
 * Time on the store's clock: instances whose own clocks are 30 s fast or slow measure their offset to the store and
 * agree with it on when work is due, and never take each other's live leases. Real time, about two seconds.
 */
import { expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/core/clock.js';
import type { Kairos } from '../../src/engine/kairos.js';
import { describeEachStore } from './helpers.js';

/** The system clock, off by `skewMs`; not authoritative, so the engine defers to the store. */
function skewed(skewMs: number): Clock {
  return { now: () => Date.now() + skewMs, setTimer: systemClock.setTimer };
}

describeEachStore('engine clocks skewed against the store', ({ openKairos, openAnother }) => {
  it('two instances 30 s fast and 30 s slow start a job due in 500 ms after 500 ms, and keep their leases', async () => {
    const fast = await openKairos({ clock: skewed(30_000), leaseMs: 2_000, heartbeatMs: 500, rescueIntervalMs: 100 });
    const slow = await openAnother(fast, { clock: skewed(-30_000), leaseMs: 2_000, heartbeatMs: 500, rescueIntervalMs: 100 });
    const instances: Kairos[] = [fast.kairos, slow];
    const startedAfter = new Map<number, number>();
    const enqueuedAt = new Map<number, number>();
    const rescued: number[] = [];
    for (const k of instances) {
      // Each handler outlives half a lease, so a rescuer judging by a skewed clock would take the job back.
      k.handle('q', async (job) => {
        startedAfter.set(job.id, Date.now() - enqueuedAt.get(job.id)!);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
      });
      k.on('job:rescued', (e) => rescued.push(e.id));
    }
    expect(Math.abs(fast.kairos.storeClockOffsetMs + 30_000)).toBeLessThan(1_000);
    expect(Math.abs(slow.storeClockOffsetMs - 30_000)).toBeLessThan(1_000);
    await Promise.all(instances.map((k) => k.start()));
    // Either instance may run either job: wait for two completions between them.
    let completions = 0;
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    for (const k of instances) k.on('job:completed', () => ++completions === 2 && allDone());
    for (const k of instances) {
      const before = Date.now();
      const job = await k.enqueue('q', {}, { delayMs: 500 });
      enqueuedAt.set(job.id, before);
    }
    await done;
    const waits = [...startedAfter.values()];
    expect(waits).toHaveLength(2);
    // Due in 500 ms on the store's clock: not 30 s early (at once) and not 30 s late.
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(450);
      expect(w).toBeLessThan(2_000);
    }
    expect(rescued).toEqual([]);
  }, 20_000);
});
