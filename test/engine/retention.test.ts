/** Retention: finished jobs and their attempts are pruned in batches after the configured time. */
import { expect, it } from 'vitest';
import { collectEvents, waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

describeEachStore('retention', ({ openKairos }) => {
  it('prunes completed jobs after retentionMs and failed ones after failedRetentionMs', async () => {
    const HOUR = 3_600_000;
    const { kairos, clock } = await openKairos({
      retentionMs: HOUR, failedRetentionMs: 3 * HOUR, pruneIntervalMs: 60_000, pruneBatchSize: 7,
      // Three hours of fake time: poll once a minute, not every second (the test is about pruning, not polling).
      pollIntervalMs: 60_000,
    });
    kairos.handle('q', async (job) => {
      if (job.payload === 'fail') throw new Error('no');
    });
    await kairos.start();
    const done = collectEvents(kairos, 'job:completed', 20);
    await kairos.enqueueMany('q', Array.from({ length: 20 }, () => ({ payload: 'ok' })));
    await done;
    const failed = waitForEvent(kairos, 'job:failed');
    const bad = await kairos.enqueue('q', 'fail', { maxAttempts: 1 });
    await failed;
    const pending = await kairos.enqueue('q', 'later', { delayMs: 10 * HOUR });
    await clock.advance(HOUR + 60_000);
    const left = (await kairos.jobs.list({ limit: 100 })).jobs.map((j) => j.id);
    expect(left.sort((a, b) => a - b)).toEqual([bad.id, pending.id]);
    expect((await kairos.jobs.get(bad.id))!.attempts).toHaveLength(1);
    await clock.advance(2 * HOUR);
    expect((await kairos.jobs.list({ limit: 100 })).jobs.map((j) => j.id)).toEqual([pending.id]);
  });
});
