/**
 * Graceful shutdown: no new claims, running jobs finish within the bound, the rest are handed back uncounted; a
 * second stop() and a close() during a stop wait for it; nothing finished is left unwritten. Fake time, no sleeps.
 */
import { expect, it } from 'vitest';
import pino from 'pino';
import { resolveConfig, type Logger } from '../../src/core/config.js';
import { KairosError } from '../../src/core/errors.js';
import { JobAbortedError } from '../../src/core/job.js';
import type { Driver } from '../../src/driver/driver.js';
import { Kairos } from '../../src/engine/kairos.js';
import { resolveStore } from '../../src/engine/store-registry.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { collectEvents, waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

/** A promise with its resolve function outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves true if `p` settles before the instance goes idle, false otherwise. */
async function settlesBeforeIdle(p: Promise<unknown>, kairos: Kairos): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true), () => (settled = true));
  await kairos.idle();
  return settled;
}

describeEachStore('stop()', ({ openKairos }) => {
  it('lets a running job finish within the bound and claims nothing new', async () => {
    const { kairos } = await openKairos();
    const release = gate();
    const started = waitForEvent(kairos, 'job:started');
    const ran: number[] = [];
    kairos.handle('q', async (job) => {
      ran.push(job.payload as number);
      if (job.payload === 1) await release.promise;
    }, { concurrency: 1 });
    await kairos.start();
    const first = await kairos.enqueue('q', 1);
    await started;
    const second = await kairos.enqueue('q', 2);
    const stopping = kairos.stop({ timeoutMs: 60_000 });
    expect(await settlesBeforeIdle(stopping, kairos)).toBe(false);
    release.open();
    await stopping;
    expect(ran).toEqual([1]);
    expect((await kairos.jobs.get(first.id))!.state).toBe('completed');
    expect((await kairos.jobs.get(second.id))!.state).toBe('scheduled');
  });

  it('aborts what is still running at the bound and hands it back without counting the attempt', async () => {
    const { kairos } = await openKairos();
    let reason: unknown;
    const started = waitForEvent(kairos, 'job:started');
    kairos.handle('q', (_job, ctx) => new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
        resolve(undefined);
      });
    }));
    await kairos.start();
    const job = await kairos.enqueue('q', {}, { maxAttempts: 1 });
    await started;
    const handedBack = waitForEvent(kairos, 'job:handed-back');
    await kairos.stop({ timeoutMs: 0 });
    await handedBack;
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe('shutdown');
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'scheduled', attempt: 0, maxAttempts: 1 });
    expect(detail.attempts).toMatchObject([{ attempt: 1, outcome: 'handed-back', note: 'shutdown' }]);
  });

  it('a second stop() waits for the first, and both resolve once the outcome is written', async () => {
    const { kairos } = await openKairos();
    const release = gate();
    const started = waitForEvent(kairos, 'job:started');
    kairos.handle('q', () => release.promise);
    await kairos.start();
    const job = await kairos.enqueue('q', 1);
    await started;
    const first = kairos.stop({ timeoutMs: 60_000 });
    const second = kairos.stop({ timeoutMs: 0 });
    expect(await settlesBeforeIdle(second, kairos)).toBe(false);
    release.open();
    await Promise.all([first, second]);
    expect((await kairos.jobs.get(job.id))!.state).toBe('completed');
  });

  it('close() during a stop waits for 100 running handlers and writes every completion', async () => {
    const { kairos, store } = await openKairos();
    const release = gate();
    const running = collectEvents(kairos, 'job:started', 100);
    kairos.handle('q', async () => {
      await release.promise;
      return 'done';
    }, { concurrency: 100 });
    await kairos.start();
    await kairos.enqueueMany('q', Array.from({ length: 100 }, (_, i) => ({ payload: i })));
    await running;
    const stopping = kairos.stop({ timeoutMs: 60_000 });
    const closing = kairos.close();
    expect(await settlesBeforeIdle(closing, kairos)).toBe(false);
    release.open();
    await closing;
    await stopping;
    const check = await Kairos.open({ store, clock: new FakeClock(T0) });
    try {
      expect(await check.jobs.counts({ queue: 'q' })).toEqual([{ queue: 'q', state: 'completed', count: 100 }]);
    } finally {
      await check.close();
    }
  });

  it('hands back what a claim in flight returns after shutdown began, instead of running it', async () => {
    const { kairos: first, store } = await openKairos();
    await first.close();
    const real = await resolveStore(store);
    // The real store, with its claims held until the test lets them go (as a network store's may be).
    const held = gate();
    const claimSeen = gate();
    const slow = Object.create(real) as Driver;
    slow.jobClaim = async (p) => {
      claimSeen.open();
      await held.promise;
      return real.jobClaim(p);
    };
    const clock = new FakeClock(T0);
    const kairos = new Kairos(slow, resolveConfig({ clock }));
    clock.attach(() => kairos.idle());
    let ran = false;
    kairos.handle('q', async () => void (ran = true));
    const job = await kairos.enqueue('q', 1);
    await kairos.start();
    await claimSeen.promise;
    const stopping = kairos.stop({ timeoutMs: 0 });
    held.open();
    await stopping;
    expect(ran).toBe(false);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'scheduled', attempt: 0 });
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['handed-back']);
    await kairos.close();
  });

  it('retries a completion the store was too busy to take, and writes it once the store answers', async () => {
    const { kairos: first, store } = await openKairos();
    await first.close();
    const real = await resolveStore(store);
    let refusals = 3;
    const busy = Object.create(real) as Driver;
    busy.jobFinishMany = async (p) => {
      if (refusals-- > 0) throw new KairosError('STORE_BUSY', 'busy (injected)');
      return real.jobFinishMany(p);
    };
    busy.jobFinishAndClaim = async () => {
      throw new KairosError('STORE_BUSY', 'busy (injected)');
    };
    const clock = new FakeClock(T0);
    const kairos = new Kairos(busy, resolveConfig({ clock }));
    clock.attach(() => kairos.idle());
    const errors: string[] = [];
    kairos.on('error', (e) => errors.push(e.where));
    kairos.handle('q', async () => 'ok');
    await kairos.start();
    const job = await kairos.enqueue('q', 1);
    await waitForEvent(kairos, 'job:started');
    // The completer backs off 10, 20, 40 ms between tries on the engine clock.
    for (let i = 0; i < 4 && refusals >= 0; i++) await clock.advance(50);
    expect(refusals).toBe(-1);
    expect(errors.filter((w) => w === 'completion write')).toHaveLength(3);
    expect((await kairos.jobs.get(job.id))!.state).toBe('completed');
    await kairos.close();
  });

  it('gives up writing completions to a store closed under it, leaving the jobs to their leases', async () => {
    const { kairos: first, store } = await openKairos();
    await first.close();
    const driver = await resolveStore(store);
    const clock = new FakeClock(T0);
    // The give-up is logged as an error; this test expects it, so the log stays quiet.
    const kairos = new Kairos(driver, resolveConfig({ clock, logger: pino({ level: 'silent' }) as unknown as Logger }));
    clock.attach(() => kairos.idle());
    const release = gate();
    kairos.handle('q', () => release.promise);
    await kairos.start();
    const job = await kairos.enqueue('q', 1);
    await waitForEvent(kairos, 'job:started');
    await driver.close();
    release.open();
    // Without the give-up, this stop would retry forever and never resolve.
    await kairos.stop({ timeoutMs: 60_000 });
    const check = await Kairos.open({ store, clock });
    try {
      expect((await check.jobs.get(job.id))!.state).toBe('running');
    } finally {
      await check.close();
    }
  });
});

describeEachStore('leases', ({ openKairos }) => {
  it('a job whose lease was lost is aborted at the next heartbeat, and its late completion is not written', async () => {
    const { kairos, clock } = await openKairos({ leaseMs: 3_000, heartbeatMs: 1_000 });
    let reason: unknown;
    const release = gate();
    kairos.handle('q', async (_job, ctx) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      await release.promise;
      return 'late';
    });
    await kairos.start();
    const job = await kairos.enqueue('q', 1);
    await waitForEvent(kairos, 'job:started');
    // Another instance's rescuer, running on a clock past the lease, takes the job back.
    expect(await kairos.driver.jobRescueExpired({ now: T0 + 60_000, limit: 10 })).toMatchObject([{ id: job.id, state: 'scheduled' }]);
    const lost = waitForEvent(kairos, 'job:lease-lost');
    await clock.advance(1_000);
    expect((await lost).id).toBe(job.id);
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe('lease-lost');
    release.open();
    await kairos.idle();
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'scheduled', attempt: 1, result: null });
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['lease-expired']);
  });
});
