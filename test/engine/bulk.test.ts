/** Bulk actions by filter, list filters (tags, key prefix, states, time ranges), queue drain, through the library. */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

describeEachStore('bulk actions and filters', ({ openKairos }) => {
  it('lists by tag, key prefix, several states and time ranges, newest first, a page at a time', async () => {
    const { kairos, clock } = await openKairos();
    const a = await kairos.enqueue('mail', 1, { key: 'user:1:welcome', tags: ['promo', 'eu'] });
    await clock.advance(1_000);
    const b = await kairos.enqueue('mail', 2, { key: 'user:2:welcome', tags: ['promo'] });
    const c = await kairos.enqueue('mail', 3, { key: 'order:9', tags: ['eu'], delayMs: 60_000 });
    const d = await kairos.enqueue('sms', 4, { tags: ['promo'] });
    await kairos.cancel(d.id);
    const ids = async (q: Parameters<typeof kairos.jobs.list>[0]) => (await kairos.jobs.list(q)).jobs.map((j) => j.id);
    expect(await ids({ tag: 'promo' })).toEqual([d.id, b.id, a.id]);
    expect(await ids({ tag: 'promo', queue: 'mail' })).toEqual([b.id, a.id]);
    expect(await ids({ queue: 'mail', keyPrefix: 'user:' })).toEqual([b.id, a.id]);
    expect(await ids({ queue: 'mail', keyPrefix: 'user:1' })).toEqual([a.id]);
    expect(await ids({ state: ['cancelled', 'completed'] })).toEqual([d.id]);
    expect(await ids({ createdAt: { from: T0 + 1_000 } })).toEqual([d.id, c.id, b.id]);
    expect(await ids({ createdAt: { to: new Date(T0 + 1_000).toISOString() } })).toEqual([a.id]);
    expect(await ids({ runAt: { from: T0 + 30_000 } })).toEqual([c.id]);
    expect(await ids({ finishedAt: { from: T0 } })).toEqual([d.id]);
    const first = await kairos.jobs.list({ tag: 'promo', limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([d.id, b.id]);
    expect(await ids({ tag: 'promo', limit: 2, cursor: first.nextCursor! })).toEqual([a.id]);
  });

  it.each([
    [{ keyPrefix: 'user:' }, 'keyPrefix'],
    [{ state: ['done'] }, 'state[0]'],
    [{ createdAt: { from: 'yesterday' } }, 'createdAt.from'],
    [{ tag: '' }, 'tag'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses the filter %o naming the field', async (filter, field) => {
    const { kairos } = await openKairos();
    const error = await kairos.jobs.cancelMany(filter as never).catch((e: unknown) => e);
    expect(isKairosError(error, 'FILTER_INVALID')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe(field);
  });

  it('refuses a bulk action with an empty filter', async () => {
    const { kairos } = await openKairos();
    await kairos.enqueue('mail', 1);
    const error = await kairos.jobs.deleteMany({}).catch((e: unknown) => e);
    expect(isKairosError(error, 'FILTER_INVALID')).toBe(true);
  });

  it('cancels, replays and deletes by filter in batches, returning how many', async () => {
    const { kairos } = await openKairos();
    await kairos.enqueueMany('mail', Array.from({ length: 23 }, (_, i) => ({ payload: i, tags: i % 2 === 0 ? ['even'] : ['odd'] })));
    await kairos.enqueue('sms', 'x', { tags: ['even'] });
    expect(await kairos.jobs.cancelMany({ queue: 'mail', tag: 'even' }, { batchSize: 5 })).toBe(12);
    expect(await kairos.jobs.cancelMany({ queue: 'mail', tag: 'even' }, { batchSize: 5 })).toBe(0);
    expect((await kairos.jobs.counts({ queue: 'mail' })).find((c) => c.state === 'cancelled')?.count).toBe(12);
    expect(await kairos.jobs.replayMany({ queue: 'mail', state: 'cancelled' }, { batchSize: 4 })).toBe(12);
    expect((await kairos.jobs.counts({ queue: 'mail' }))).toEqual([{ queue: 'mail', state: 'scheduled', count: 23 }]);
    expect(await kairos.jobs.cancelMany({ queue: 'mail' }, { batchSize: 7 })).toBe(23);
    // Only final jobs are deleted; the pending sms job stays.
    expect(await kairos.jobs.deleteMany({ tag: 'even' }, { batchSize: 3 })).toBe(12);
    expect((await kairos.jobs.list({ tag: 'even' })).jobs.map((j) => j.queue)).toEqual(['sms']);
    expect(await kairos.jobs.deleteMany({ queue: 'mail', state: ['scheduled', 'cancelled'] })).toBe(11);
    expect(await kairos.jobs.counts({ queue: 'mail' })).toEqual([]);
  });

  it('cancelMany aborts the handlers it cancels with reason cancelled', async () => {
    const { kairos } = await openKairos();
    const reasons: unknown[] = [];
    kairos.handle('slow', (job, ctx) => new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        reasons.push((ctx.signal.reason as { reason: string }).reason);
        resolve(undefined);
      });
    }));
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    await kairos.enqueue('slow', 1);
    await started;
    expect(await kairos.jobs.cancelMany({ queue: 'slow', state: 'running' })).toBe(1);
    await kairos.idle();
    expect(reasons).toEqual(['cancelled']);
  });

  it('drains a queue: every waiting job cancelled, held ones too; running ones go on', async () => {
    const { kairos } = await openKairos();
    const a = await kairos.enqueue('mail', 1, { delayMs: 60_000 });
    await kairos.enqueue('mail', 2, { dependsOn: [a.id] });
    await kairos.enqueue('other', 3);
    expect(await kairos.queues.drain('mail')).toBe(2);
    expect((await kairos.queues.get('mail'))!.counts).toMatchObject({ scheduled: 0, cancelled: 2 });
    expect((await kairos.queues.get('other'))!.counts.scheduled).toBe(1);
  });
});
