/** The job lifecycle of docs/state-machine.md through the public API, time driven by a fake clock. */
import { describe, expect, it } from 'vitest';
import { JobAbortedError, JobTimeoutError, UnrecoverableError } from '../../src/core/job.js';
import { collectEvents, waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

describeEachStore('job lifecycle', ({ openKairos }) => {
  it('runs a due job, stores its result and its attempt', async () => {
    const { kairos } = await openKairos();
    const seen: unknown[] = [];
    kairos.handle('send-push', async (job, ctx) => {
      seen.push({ payload: job.payload, attempt: ctx.attempt, key: ctx.idempotencyKey });
      return { delivered: true };
    });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const job = await kairos.enqueue('send-push', { to: 'u1', text: 'hi' });
    expect(job).toMatchObject({ queue: 'send-push', state: 'scheduled', outcome: 'created' });
    expect((await done).id).toBe(job.id);
    expect(seen).toEqual([{ payload: { to: 'u1', text: 'hi' }, attempt: 1, key: `kairos:send-push:${job.id}` }]);
    const detail = await kairos.jobs.get(job.id);
    expect(detail).toMatchObject({ state: 'completed', result: { delivered: true }, attempt: 1 });
    expect(detail!.attempts).toHaveLength(1);
    expect(detail!.attempts[0]).toMatchObject({ attempt: 1, outcome: 'completed', workerId: kairos.workerId, durationMs: 0 });
  });

  it('starts a future job when its time comes, not before', async () => {
    const { kairos, clock } = await openKairos();
    const started: number[] = [];
    kairos.handle('q', async () => void started.push(clock.now()));
    await kairos.start();
    await kairos.enqueue('q', 1, { runAt: new Date(T0 + 60_000) });
    await clock.advance(59_999);
    expect(started).toEqual([]);
    const done = waitForEvent(kairos, 'job:completed');
    await clock.advance(1);
    await done;
    expect(started).toEqual([T0 + 60_000]);
  });

  it('wakes early when earlier work is enqueued while it sleeps', async () => {
    const { kairos, clock } = await openKairos();
    const started: number[] = [];
    kairos.handle('q', async (job) => void started.push(job.payload as number));
    await kairos.start();
    await kairos.enqueue('q', 2, { delayMs: 10 * 60_000 });
    await kairos.idle();
    await kairos.enqueue('q', 1, { delayMs: 5_000 });
    const first = waitForEvent(kairos, 'job:completed');
    await clock.advance(5_000);
    await first;
    expect(started).toEqual([1]);
  });

  it('retries with backoff, records every attempt with its error, then fails for good', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async (job) => {
      throw new Error(`boom ${job.attempt}`);
    });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const retries: number[] = [];
    kairos.on('job:retrying', (e) => retries.push(e.runAt.getTime() - clock.now()));
    const job = await kairos.enqueue('q', {}, { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 1_000 } });
    await kairos.idle();
    await clock.advance(1_000);
    await kairos.idle();
    await clock.advance(1_000);
    expect((await failed).error.message).toBe('boom 3');
    expect(retries).toEqual([1_000, 1_000]);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.state).toBe('failed');
    expect(detail.attempts.map((a) => [a.attempt, a.outcome, a.error?.message])).toEqual([
      [1, 'failed', 'boom 1'],
      [2, 'failed', 'boom 2'],
      [3, 'failed', 'boom 3'],
    ]);
    expect(detail.attempts[0]!.error!.stack).toContain('boom 1');
    expect(detail.lastError!.message).toBe('boom 3');
  });

  it('exponential backoff with full jitter stays within the capped window', async () => {
    const { kairos, clock } = await openKairos({ random: () => 0.999_999 });
    kairos.handle('q', async () => {
      throw new Error('x');
    });
    await kairos.start();
    const delays: number[] = [];
    kairos.on('job:retrying', (e) => delays.push(e.runAt.getTime() - clock.now()));
    await kairos.enqueue('q', {}, { maxAttempts: 4, backoff: { type: 'exponential', baseMs: 100, maxMs: 300 } });
    for (let i = 0; i < 3; i++) {
      await kairos.idle();
      await clock.advance(1_000);
    }
    expect(delays).toEqual([100, 200, 300]);
  });

  it('a custom backoff policy registered by name decides the delay', async () => {
    const { kairos, clock } = await openKairos({ backoffPolicies: { tenfold: (attempt) => attempt * 10 } });
    kairos.handle('q', async () => {
      throw new Error('x');
    });
    await kairos.start();
    const retry = waitForEvent(kairos, 'job:retrying');
    await kairos.enqueue('q', {}, { backoff: { type: 'custom', name: 'tenfold' } });
    expect((await retry).runAt.getTime() - clock.now()).toBe(10);
  });

  it('UnrecoverableError fails at once', async () => {
    const { kairos } = await openKairos();
    kairos.handle('q', async () => {
      throw new UnrecoverableError('card declined for good');
    });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('q', {}, { maxAttempts: 5 });
    await failed;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'failed', attempt: 1 });
    expect(detail.attempts[0]!.outcome).toBe('unrecoverable');
  });

  it('skip ends the job as skipped with its reason', async () => {
    const { kairos } = await openKairos();
    kairos.handle('q', async (_job, ctx) => ctx.skip('user has no device'));
    await kairos.start();
    const skipped = waitForEvent(kairos, 'job:skipped');
    const job = await kairos.enqueue('q', {});
    expect((await skipped).reason).toBe('user has no device');
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.state).toBe('skipped');
    expect(detail.attempts[0]).toMatchObject({ outcome: 'skipped', note: 'user has no device' });
  });

  it('snooze runs the job again later without counting an attempt', async () => {
    const { kairos, clock } = await openKairos();
    let runs = 0;
    kairos.handle('q', async (job, ctx) => {
      runs++;
      if (runs === 1) return ctx.snooze(30_000);
      return job.attempt;
    });
    await kairos.start();
    const snoozed = waitForEvent(kairos, 'job:snoozed');
    const job = await kairos.enqueue('q', {}, { maxAttempts: 1 });
    expect((await snoozed).runAt).toEqual(new Date(T0 + 30_000));
    const done = waitForEvent(kairos, 'job:completed');
    await clock.advance(30_000);
    expect((await done).result).toBe(1);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'snoozed'],
      [1, 'completed'],
    ]);
  });

  it('a timeout fires the AbortSignal and counts as a failed attempt', async () => {
    const { kairos, clock } = await openKairos();
    let reason: unknown;
    kairos.handle('q', (_job, ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
        reject(ctx.signal.reason as Error);
      });
    }));
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('q', {}, { timeoutMs: 10_000, maxAttempts: 1 });
    await kairos.idle();
    await clock.advance(10_000);
    expect((await failed).error.name).toBe('JobTimeoutError');
    expect(reason).toBeInstanceOf(JobTimeoutError);
    expect((await kairos.jobs.get(job.id))!.attempts[0]!.outcome).toBe('timeout');
  });

  it('a job whose deadline passed before it could start is expired and never runs', async () => {
    const { kairos, clock } = await openKairos();
    let ran = false;
    kairos.handle('q', async () => void (ran = true));
    const job = await kairos.enqueue('q', {}, { runAt: new Date(T0 + 1_000), deadline: new Date(T0 + 2_000) });
    await clock.advance(5_000); // the instance was down past the deadline
    const expired = waitForEvent(kairos, 'job:expired');
    await kairos.start();
    expect((await expired).id).toBe(job.id);
    expect(ran).toBe(false);
    expect((await kairos.jobs.get(job.id))!).toMatchObject({ state: 'expired', attempt: 0, attempts: [] });
  });

  it('cancels a pending job', async () => {
    const { kairos, clock } = await openKairos();
    let ran = false;
    kairos.handle('q', async () => void (ran = true));
    await kairos.start();
    const job = await kairos.enqueue('q', {}, { delayMs: 1_000, key: 'promo-u1' });
    expect(await kairos.cancelByKey('q', 'promo-u1')).toBe(job.id);
    await expect(kairos.cancelByKey('q', 'promo-u1')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', details: { field: 'key' } });
    await clock.advance(2_000);
    expect(ran).toBe(false);
    expect((await kairos.jobs.get(job.id))!.state).toBe('cancelled');
    expect(await kairos.cancel(job.id)).toBe(false);
    await expect(kairos.cancel(987_654)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('cancelling a running job fires its AbortSignal and ends it cancelled', async () => {
    const { kairos } = await openKairos();
    let reason: unknown;
    const started = waitForEvent(kairos, 'job:started');
    kairos.handle('q', (_job, ctx) => new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
        resolve('stopped');
      });
    }));
    await kairos.start();
    const job = await kairos.enqueue('q', {});
    await started;
    const cancelled = waitForEvent(kairos, 'job:cancelled');
    expect(await kairos.cancel(job.id)).toBe(true);
    expect(await cancelled).toEqual({ id: job.id, queue: 'q', wasRunning: true });
    expect(reason).toBeInstanceOf(JobAbortedError);
    await kairos.idle();
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.state).toBe('cancelled');
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
  });

  it('replays a failed job with the same id', async () => {
    const { kairos } = await openKairos();
    let fail = true;
    kairos.handle('q', async () => {
      if (fail) throw new UnrecoverableError('down');
      return 'ok';
    });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('q', {});
    await failed;
    fail = false;
    const done = waitForEvent(kairos, 'job:completed');
    const replayed = await kairos.replay(job.id);
    expect(replayed).toMatchObject({ id: job.id, state: 'scheduled' });
    expect((await done).id).toBe(job.id);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'unrecoverable'],
      [2, 'completed'],
    ]);
    await expect(kairos.replay(job.id + 1000)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('runs higher priority (lower number) first and respects concurrency', async () => {
    const { kairos } = await openKairos();
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    kairos.handle('q', async (job) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      order.push(job.payload as string);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    }, { concurrency: 2 });
    await kairos.enqueueMany('q', [
      { payload: 'c', priority: 5 },
      { payload: 'a', priority: -5 },
      { payload: 'b' },
      { payload: 'd', priority: 5 },
    ]);
    const all = collectEvents(kairos, 'job:completed', 4);
    await kairos.start();
    await all;
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(maxInFlight).toBe(2);
  });

  it('a handler registered after start begins at once', async () => {
    const { kairos } = await openKairos();
    await kairos.start();
    await kairos.enqueue('late', {});
    const done = waitForEvent(kairos, 'job:completed');
    kairos.handle('late', async () => 'ok');
    expect((await done).queue).toBe('late');
    expect(() => kairos.handle('late', async () => 'again')).toThrow(expect.objectContaining({ code: 'HANDLER_EXISTS' }));
  });
});

describeEachStore('handler errors from another copy of the library', ({ openKairos }) => {
  it('an error named UnrecoverableError fails at once even if it is not this copy\'s class', async () => {
    const { kairos } = await openKairos();
    class UnrecoverableError extends Error {
      override name = 'UnrecoverableError';
    }
    kairos.handle('q', async () => {
      throw new UnrecoverableError('from a bundled copy');
    });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    await kairos.enqueue('q', {}, { maxAttempts: 5 });
    expect((await failed).attempt).toBe(1);
  });
});

describe('engine errors', () => {
  it('an engine error without an error listener does not throw; with one, it is reported', async () => {
    const { KairosEmitter } = await import('../../src/engine/events.js');
    const emitter = new KairosEmitter();
    expect(() => emitter.emit('error', { error: new Error('store down'), where: 'claim q' })).not.toThrow();
    const seen: string[] = [];
    emitter.on('error', (e) => seen.push(e.where));
    emitter.emit('error', { error: new Error('store down'), where: 'claim q' });
    expect(seen).toEqual(['claim q']);
  });
});
