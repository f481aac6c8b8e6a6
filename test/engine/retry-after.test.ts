/** RetryAfterError: a retry at the delay the handler names instead of the backoff, and error details kept per attempt. */
import { expect, it } from 'vitest';
import { KairosError } from '../../src/core/errors.js';
import { MAX_RETRY_AFTER_MS, RetryAfterError } from '../../src/core/job.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

describeEachStore('retry after an explicit delay', ({ openKairos }) => {
  it('retries at the delay of a RetryAfterError, not the backoff, and counts the attempt', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async (_job, ctx) => {
      if (ctx.attempt === 1) throw new RetryAfterError('receiver said wait', 7_000, { details: { record: { status: 429 } } });
      return { ok: ctx.attempt };
    });
    await kairos.start();
    const retry = waitForEvent(kairos, 'job:retrying');
    // A fixed backoff of one hour: the retry must ignore it.
    const job = await kairos.enqueue('q', {}, { backoff: { type: 'fixed', delayMs: 3_600_000 }, maxAttempts: 3 });
    const r = await retry;
    expect(r.runAt.getTime() - clock.now()).toBe(7_000);
    expect(r.error).toMatchObject({ name: 'RetryAfterError', details: { record: { status: 429 } } });
    await kairos.idle();
    const done = waitForEvent(kairos, 'job:completed');
    await clock.advance(7_000);
    await done;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'completed', attempt: 2, result: { ok: 2 } });
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect(detail.attempts[0]!.error).toMatchObject({ name: 'RetryAfterError', message: 'receiver said wait', details: { record: { status: 429 } } });
  });

  it('cuts a huge delay to the maximum', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async () => {
      throw new RetryAfterError('wait a year', 365 * 24 * 3_600_000);
    });
    await kairos.start();
    const retry = waitForEvent(kairos, 'job:retrying');
    await kairos.enqueue('q', {}, { maxAttempts: 2 });
    expect((await retry).runAt.getTime() - clock.now()).toBe(MAX_RETRY_AFTER_MS);
  });

  it('fails when no attempt is left', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async () => {
      throw new RetryAfterError('wait', 500);
    });
    await kairos.start();
    const retry = waitForEvent(kairos, 'job:retrying');
    const job = await kairos.enqueue('q', {}, { maxAttempts: 2 });
    await retry;
    await kairos.idle();
    const failed = waitForEvent(kairos, 'job:failed');
    await clock.advance(500);
    await failed;
    expect((await kairos.jobs.get(job.id))!).toMatchObject({ state: 'failed', attempt: 2 });
  });

  it('stores the details of a KairosError thrown by a handler with the attempt', async () => {
    const { kairos } = await openKairos();
    kairos.handle('q', async () => {
      throw new KairosError('TARGET_FAILED', 'receiver answered 500', { details: { record: { status: 500, excerpt: 'boom' } } });
    });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('q', {}, { maxAttempts: 1 });
    await failed;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.lastError).toMatchObject({ code: 'TARGET_FAILED', details: { record: { status: 500, excerpt: 'boom' } } });
    expect(detail.attempts[0]!.error).toMatchObject({ code: 'TARGET_FAILED', details: { record: { status: 500 } } });
  });
});
