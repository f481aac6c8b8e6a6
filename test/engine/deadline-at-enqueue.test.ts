/** A deadline already past at enqueue is refused (JOB_OPTION_INVALID naming deadline), and nothing is stored. */
import { expect, it } from 'vitest';
import { describeEachStore, T0 } from './helpers.js';

describeEachStore('deadline at enqueue', ({ openKairos }) => {
  it('refuses a deadline already past, even with a runAt before it, and stores nothing; one at now is kept', async () => {
    const { kairos } = await openKairos();
    const error = await kairos.enqueue('q', {}, { runAt: T0 - 60_000, deadline: T0 - 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JOB_OPTION_INVALID', details: { field: 'deadline' } });
    expect((error as Error).message).toMatch(/^deadline: 2026-06-01T06:14:59\.999Z has already passed \(now 2026-06-01T06:15:00\.000Z\)/);
    await expect(kairos.enqueueMany('q', [{ payload: 1 }, { payload: 2, deadline: new Date(T0 - 5_000) }])).rejects.toMatchObject({ details: { field: 'items[1].deadline' } });
    expect(await kairos.jobs.counts()).toEqual([]);
    await expect(kairos.enqueue('q', {}, { deadline: T0 })).resolves.toMatchObject({ outcome: 'created' });
  });
});
