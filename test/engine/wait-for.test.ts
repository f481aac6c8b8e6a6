/** waitFor across instances, and a cancel from another instance reaching the handler as 'cancelled', on both stores. */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { Kairos } from '../../src/engine/kairos.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

describeEachStore('waitFor and cross-instance cancel', ({ openKairos }) => {
  it('resolves with the final state and result when another instance ran the job', async () => {
    const { kairos: producer, store } = await openKairos({ fake: false });
    const worker = await Kairos.open({ store, heartbeatMs: 100, pollIntervalMs: 50 });
    try {
      worker.handle('sum', async (job) => (job.payload as number[]).reduce((a, b) => a + b, 0));
      const job = await producer.enqueue('sum', [1, 2, 3], { delayMs: 200 });
      const waiting = producer.jobs.waitFor(job.id, { timeoutMs: 10_000 });
      await worker.start();
      expect(await waiting).toMatchObject({ id: job.id, state: 'completed', result: 6 });
      // Already final: at once.
      expect(await producer.jobs.waitFor(job.id, { timeoutMs: 0 })).toMatchObject({ state: 'completed' });
    } finally {
      await worker.close({ timeoutMs: 0 });
    }
  });

  it('resolves on an instance that ran the job itself, with a failure as its final state', async () => {
    const { kairos } = await openKairos();
    kairos.handle('bad', async () => {
      throw new Error('nope');
    });
    const job = await kairos.enqueue('bad', 1, { maxAttempts: 1 });
    const waiting = kairos.jobs.waitFor(job.id);
    await kairos.start();
    expect(await waiting).toMatchObject({ state: 'failed', lastError: { message: 'nope' } });
  });

  it('rejects with WAIT_TIMEOUT after timeoutMs, and JOB_NOT_FOUND for an unknown id', async () => {
    const { kairos, clock } = await openKairos();
    const job = await kairos.enqueue('nobody-handles', 1);
    const waiting = kairos.jobs.waitFor(job.id, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    await clock.advance(5_000);
    const error = await waiting;
    expect(isKairosError(error, 'WAIT_TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain(`job ${job.id} is still scheduled after 5000 ms`);
    expect(isKairosError(await kairos.jobs.waitFor(999_999).catch((e: unknown) => e), 'JOB_NOT_FOUND')).toBe(true);
  });

  it('a cancel from another instance reaches the running handler with reason cancelled, not lease-lost', async () => {
    const { kairos: other, store } = await openKairos({ fake: false });
    const worker = await Kairos.open({ store, leaseMs: 3_000, heartbeatMs: 100, pollIntervalMs: 50 });
    try {
      let heard: (reason: string) => void = () => undefined;
      const reason = new Promise<string>((resolve, reject) => {
        heard = resolve;
        setTimeout(() => reject(new Error('the handler heard no abort within 5 s')), 5_000);
      });
      worker.handle('slow', (_job, ctx) => new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          heard((ctx.signal.reason as { reason: string }).reason);
          resolve(undefined);
        });
      }));
      const started = waitForEvent(worker, 'job:started');
      await worker.start();
      const job = await other.enqueue('slow', 1);
      await started;
      expect(await other.cancel(job.id)).toBe(true);
      expect(await reason).toBe('cancelled');
    } finally {
      await worker.close({ timeoutMs: 0 });
    }
  });
});
