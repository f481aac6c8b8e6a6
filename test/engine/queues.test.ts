/** Stored queues through the library: settings, counts, pause and resume on every instance. */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { describeEachStore, T0 } from './helpers.js';

describeEachStore('queues', ({ openKairos, openAnother }) => {
  it('lists queues with stored settings and queues that only have jobs, with counts by state', async () => {
    const { kairos } = await openKairos();
    await kairos.enqueue('mail', 1);
    await kairos.enqueue('mail', 2);
    await kairos.queues.upsert('sms', { capacity: 100, fallback: 'mail', target: { kind: 'http', url: 'https://example.com/hook' } });
    const list = await kairos.queues.list();
    expect(list.map((q) => [q.name, q.stored, q.counts.scheduled])).toEqual([['mail', false, 2], ['sms', true, 0]]);
    expect(list[1]).toMatchObject({ capacity: 100, fallback: 'mail', target: { kind: 'http', url: 'https://example.com/hook' }, version: 1, paused: false });
    expect(await kairos.queues.get('nothing-here')).toBeNull();
  });

  it('updates only the settings named, clears with null, and fences on expectedVersion', async () => {
    const { kairos } = await openKairos();
    const made = await kairos.queues.upsert('mail', { capacity: 5, concurrency: 2 });
    const changed = await kairos.queues.upsert('mail', { capacity: null }, { expectedVersion: made.version });
    expect(changed).toMatchObject({ capacity: null, concurrency: 2, version: 2 });
    const stale = await kairos.queues.upsert('mail', { concurrency: 9 }, { expectedVersion: 1 }).catch((e: unknown) => e);
    expect(isKairosError(stale, 'QUEUE_CONFLICT')).toBe(true);
    expect((await kairos.queues.get('mail'))?.concurrency).toBe(2);
  });

  it.each([
    [{ capacity: 0 }, 'capacity'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ fallback: 'mail' }, 'fallback'],
    [{ lane: 'signup' }, 'lane'],
    [{ target: 'https://x' }, 'target'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %o naming the field, and keeps what is stored', async (settings, field) => {
    const { kairos } = await openKairos();
    await kairos.queues.upsert('mail', { capacity: 3 });
    const error = await kairos.queues.upsert('mail', settings as never).catch((e: unknown) => e);
    expect(isKairosError(error, 'QUEUE_OPTION_INVALID')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe(field);
    expect(await kairos.queues.get('mail')).toMatchObject({ capacity: 3, version: 1 });
  });

  it('remove clears stored settings and says when there were none', async () => {
    const { kairos } = await openKairos();
    await kairos.queues.pause('mail');
    await kairos.queues.remove('mail');
    expect(await kairos.queues.get('mail')).toBeNull();
    const error = await kairos.queues.remove('mail').catch((e: unknown) => e);
    expect(isKairosError(error, 'QUEUE_NOT_FOUND')).toBe(true);
  });

  it('a pause on one instance stops every instance from starting jobs of the queue; a resume lets them go', async () => {
    const first = await openKairos();
    const second = await openAnother(first);
    const ran: string[] = [];
    for (const [name, k] of [['a', first.kairos], ['b', second]] as const) {
      k.handle('mail', async () => void ran.push(name), { concurrency: 1 });
      k.handle('other', async () => void ran.push(`${name}-other`), { concurrency: 1 });
      await k.start();
    }
    await first.kairos.queues.pause('mail');
    await first.kairos.enqueue('mail', 1, { runAt: new Date(T0 + 1_000) });
    await first.kairos.enqueue('other', 1, { runAt: new Date(T0 + 1_000) });
    await first.clock.advance(5_000);
    expect(ran.filter((r) => !r.endsWith('other'))).toEqual([]);
    expect(ran.filter((r) => r.endsWith('other'))).toHaveLength(1);
    expect((await second.queues.get('mail'))).toMatchObject({ paused: true, counts: { scheduled: 1 } });
    await second.queues.resume('mail');
    await first.clock.advance(2_000);
    expect(ran.filter((r) => !r.endsWith('other'))).toHaveLength(1);
    expect((await first.kairos.queues.get('mail'))?.counts.completed).toBe(1);
  });
});
