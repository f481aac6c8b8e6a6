/** Flows through the public API: dependencies with their failure policy, batches with a completion job, fallbacks. */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { UnrecoverableError } from '../../src/core/job.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

describeEachStore('flows', ({ openKairos }) => {
  it('runs a dependent only after every dependency completed, at its own runAt if that is later', async () => {
    const { kairos, clock } = await openKairos();
    const ran: string[] = [];
    kairos.handle('step', async (job) => void ran.push(String(job.payload)), { concurrency: 1 });
    const a = await kairos.enqueue('step', 'a', { delayMs: 1_000 });
    const b = await kairos.enqueue('step', 'b', { delayMs: 2_000 });
    const c = await kairos.enqueue('step', 'c', { dependsOn: [a.id, b.id], delayMs: 1_500 });
    expect(await kairos.jobs.get(c.id)).toMatchObject({ state: 'scheduled', waitingFor: 2, dependsOn: [a.id, b.id], runAt: new Date(T0 + 1_500) });
    await kairos.start();
    await clock.advance(1_000);
    expect(ran).toEqual(['a']);
    expect((await kairos.jobs.get(c.id))!.waitingFor).toBe(1);
    const done = waitForEvent(kairos, 'job:completed', (e) => e.id === c.id);
    await clock.advance(1_000);
    await done;
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(await kairos.jobs.get(c.id)).toMatchObject({ state: 'completed', waitingFor: 0, startedAt: new Date(T0 + 2_000) });
  });

  it('cancels a dependent, and its own dependents, when a dependency fails (default policy), with the reason', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('step', async (job) => {
      if (job.payload === 'bad') throw new UnrecoverableError('no');
    });
    const bad = await kairos.enqueue('step', 'bad', { delayMs: 10 });
    const child = await kairos.enqueue('step', 'child', { dependsOn: [bad.id] });
    const grandchild = await kairos.enqueue('step', 'grandchild', { dependsOn: [child.id] });
    const runAnyway = await kairos.enqueue('step', 'anyway', { dependsOn: [bad.id], onDependencyFailure: 'run' });
    const ranAnyway = waitForEvent(kairos, 'job:completed', (e) => e.id === runAnyway.id);
    await kairos.start();
    await clock.advance(10);
    await ranAnyway;
    expect(await kairos.jobs.get(child.id)).toMatchObject({ state: 'cancelled', lastError: { name: 'DependencyFailed', message: `dependency job ${bad.id} ended failed` } });
    expect(await kairos.jobs.get(grandchild.id)).toMatchObject({ state: 'cancelled', lastError: { name: 'DependencyFailed', message: `dependency job ${child.id} ended cancelled` } });
  });

  it('refuses a dependency that does not exist, naming it, and stores nothing', async () => {
    const { kairos } = await openKairos();
    const a = await kairos.enqueue('step', 'a');
    const error = await kairos.enqueue('step', 'x', { dependsOn: [a.id, 999_999] }).catch((e: unknown) => e);
    expect(isKairosError(error, 'JOB_NOT_FOUND')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe('dependsOn[1]');
    expect((await kairos.jobs.list({ queue: 'step' })).jobs).toHaveLength(1);
    const bad = await kairos.enqueue('step', 'x', { dependsOn: [a.id, a.id] }).catch((e: unknown) => e);
    expect((bad as { details: { field: string } }).details.field).toBe('dependsOn[1]');
  });

  it('a dependency already failed at enqueue cancels the new job at once; one already completed does not hold it', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('step', async (job) => {
      if (job.payload === 'bad') throw new UnrecoverableError('no');
    });
    await kairos.start();
    const okDone = waitForEvent(kairos, 'job:completed');
    const ok = await kairos.enqueue('step', 'ok');
    await okDone;
    const failed = waitForEvent(kairos, 'job:failed');
    const bad = await kairos.enqueue('step', 'bad');
    await failed;
    const late = await kairos.enqueue('step', 'late', { dependsOn: [bad.id, ok.id] });
    expect(late.state).toBe('cancelled');
    // Listening before the enqueue: a job that is not held may complete before enqueue returns.
    const freeDone = waitForEvent(kairos, 'job:completed');
    const free = await kairos.enqueue('step', 'free', { dependsOn: [ok.id] });
    expect(await kairos.jobs.get(free.id)).toMatchObject({ waitingFor: 0, dependsOn: [ok.id] });
    await clock.advance(0);
    expect((await freeDone).id).toBe(free.id);
  });

  it('runs a batch completion job once, after every member ended, with progress readable meanwhile', async () => {
    const { kairos } = await openKairos();
    const completions: unknown[] = [];
    kairos.handle('resize', async (job) => {
      if (job.payload === 3) throw new UnrecoverableError('broken image');
    }, { concurrency: 2 });
    kairos.handle('resize-done', async (job) => {
      completions.push(job.payload);
      return kairos.batches.get((job.payload as { batchId: number }).batchId);
    });
    const batch = await kairos.batches.create('resize', [1, 2, 3, 4, 5].map((n) => ({ payload: n })), {
      completion: { queue: 'resize-done', payload: { album: 7 } },
    });
    expect(batch.jobs).toHaveLength(5);
    expect(await kairos.batches.get(batch.id)).toMatchObject({ total: 5, completed: 0, failed: 0, pending: 5, finished: false });
    expect((await kairos.jobs.get(batch.completionJobId))!.waitingFor).toBe(5);
    const done = waitForEvent(kairos, 'job:completed', (e) => e.id === batch.completionJobId);
    await kairos.start();
    const result = (await done).result;
    expect(completions).toEqual([{ batchId: batch.id, payload: { album: 7 } }]);
    expect(result).toMatchObject({ total: 5, completed: 4, failed: 1, pending: 0, finished: true });
    expect((await kairos.jobs.list({ batchId: batch.id, limit: 10 })).jobs).toHaveLength(6);
    expect(await kairos.batches.get(999_999)).toBeNull();
  });

  it('puts a fallback job behind its queue\'s limiter and lane, as an enqueue to that queue would', async () => {
    const { kairos } = await openKairos();
    await kairos.limiters.upsert({ id: 'sms-gateway', concurrency: 1, lanes: { bulk: { reserved: 1 } } });
    await kairos.queues.upsert('push', { fallback: 'sms' });
    await kairos.queues.upsert('sms', { limiter: 'sms-gateway', lane: 'bulk' });
    kairos.handle('push', async () => {
      throw new Error('no device');
    });
    kairos.handle('sms', async () => 'sent');
    const push = await kairos.enqueue('push', { user: 'u2' }, { maxAttempts: 1 });
    const smsDone = waitForEvent(kairos, 'job:completed', (e) => e.queue === 'sms');
    await kairos.start();
    const sms = await smsDone;
    expect(await kairos.jobs.get(sms.id)).toMatchObject({ fallbackOf: push.id, limiter: 'sms-gateway', lane: 'bulk', state: 'completed' });
  });

  it('gives a job that fails finally one fallback job on its queue\'s fallback queue, linked both ways', async () => {
    const { kairos } = await openKairos();
    await kairos.queues.upsert('push', { fallback: 'sms' });
    await kairos.queues.upsert('sms', { fallback: 'email' });
    kairos.handle('push', async () => {
      throw new Error('no device');
    });
    kairos.handle('sms', async () => {
      throw new UnrecoverableError('no phone');
    });
    const push = await kairos.enqueue('push', { user: 'u1' }, { maxAttempts: 1, tags: ['promo'] });
    const smsFailed = waitForEvent(kairos, 'job:failed', (e) => e.queue === 'sms');
    await kairos.start();
    const sms = await smsFailed;
    const original = await kairos.jobs.get(push.id);
    expect(original).toMatchObject({ state: 'failed', fallbackJobId: sms.id, fallbackOf: null });
    expect(await kairos.jobs.get(sms.id)).toMatchObject({ queue: 'sms', payload: { user: 'u1' }, fallbackOf: push.id, tags: ['promo'], fallbackJobId: null });
    await kairos.idle();
    // One level only: the sms job is a fallback, so its failure makes no email job.
    expect((await kairos.queues.get('email'))).toBeNull();
    expect((await kairos.jobs.list({ tag: 'promo' })).jobs.map((j) => j.id)).toEqual([sms.id, push.id]);
  });

  it('a dependency whose deadline passes before it starts cancels its dependent (expired in the claim)', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('step', async () => undefined);
    await kairos.queues.pause('step');
    const a = await kairos.enqueue('step', 'a', { deadline: new Date(T0 + 1_000) });
    const b = await kairos.enqueue('after', 'b', { dependsOn: [a.id] });
    await kairos.start();
    await clock.advance(2_000);
    const expired = waitForEvent(kairos, 'job:expired');
    await kairos.queues.resume('step');
    await expired;
    // SQLite writes it in the claim's transaction; PostgreSQL's claim commits alone and the rescuer's pass writes it.
    await clock.advance(kairos.config.rescueIntervalMs);
    expect(await kairos.jobs.get(a.id)).toMatchObject({ state: 'expired' });
    expect(await kairos.jobs.get(b.id)).toMatchObject({ state: 'cancelled', lastError: { name: 'DependencyFailed', message: `dependency job ${a.id} ended expired` } });
  });
});
