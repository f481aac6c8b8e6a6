/** kairos.insights on both stores: the instance heartbeat loop, throughput and lateness per minute, the load forecast. */
import { expect, it } from 'vitest';
import { collectEvents } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

const MIN = 60_000;

describeEachStore('insights', ({ openKairos, openAnother }) => {
  it('an instance records itself while started, with its queues, and removes itself at stop', async () => {
    const first = await openKairos();
    const { kairos, clock } = first;
    kairos.handle('push', async () => undefined);
    expect(await kairos.insights.instances()).toEqual([]);
    await kairos.start();
    await kairos.idle();
    const other = await openAnother(first);
    await other.start();
    await other.idle();
    let list = await kairos.insights.instances();
    expect(list.map((i) => i.id).sort()).toEqual([kairos.workerId, other.workerId].sort());
    expect(list.find((i) => i.id === kairos.workerId)).toMatchObject({ queues: ['push'], pid: process.pid, alive: true, heartbeatAt: new Date(T0) });
    // Heartbeats move on with the clock.
    await clock.advance(10_000);
    await kairos.idle();
    list = await kairos.insights.instances();
    expect(list.find((i) => i.id === kairos.workerId)!.heartbeatAt.getTime()).toBe(T0 + 10_000);
    await other.stop();
    expect((await kairos.insights.instances()).map((i) => i.id)).toEqual([kairos.workerId]);
  });

  it('throughput counts finished jobs per minute with lateness, and names failing queues', async () => {
    const { kairos } = await openKairos();
    kairos.handle('ok', async () => undefined);
    kairos.handle('bad', async () => {
      throw new Error('boom');
    });
    await kairos.start();
    const done = collectEvents(kairos, 'job:completed', 2);
    await kairos.enqueue('ok', {}, { runAt: new Date(T0) });
    await kairos.enqueue('ok', {}, { runAt: new Date(T0) });
    await done;
    const failed = collectEvents(kairos, 'job:failed', 1);
    await kairos.enqueue('bad', {}, { runAt: new Date(T0), maxAttempts: 1 });
    await failed;
    const t = await kairos.insights.throughput({ minutes: 5 });
    expect(t.minutes).toHaveLength(5);
    const last = t.minutes[4]!;
    expect(last.minute).toBe(Math.floor(T0 / MIN) * MIN);
    expect(last).toMatchObject({ completed: 2, failed: 1, other: 0, latenessAvgMs: 0, latenessMaxMs: 0 });
    expect(t.minutes.slice(0, 4).every((m) => m.completed === 0 && m.latenessAvgMs === null)).toBe(true);
    expect(t.failingQueues).toEqual([{ queue: 'bad', failed: 1, finished: 1 }]);
    await expect(kairos.insights.throughput({ minutes: 0 })).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID' });
  });

  it('the forecast counts stored jobs and schedule occurrences per minute and marks a spike', async () => {
    const { kairos } = await openKairos();
    const spikeAt = T0 + 3 * 3_600_000 + 15 * MIN;
    await kairos.enqueueMany('bulk', Array.from({ length: 500 }, (_, i) => ({ payload: { i }, runAt: new Date(spikeAt + i) })));
    await kairos.enqueue('bulk', {}, { runAt: new Date(T0 + 30 * MIN) });
    await kairos.schedules.upsert({ id: 'hourly', queue: 'tick', rule: { cron: '0 * * * *' }, payload: {} });
    await kairos.schedules.upsert({ id: 'paused', queue: 'tick', rule: { cron: '* * * * *' }, payload: {} });
    await kairos.schedules.pause('paused');
    const f = await kairos.insights.forecast();
    expect(f.from).toBe(T0);
    expect(f.minutes).toHaveLength(1440);
    const at = (ms: number) => f.minutes[(ms - f.from) / MIN]!;
    expect(at(spikeAt)).toEqual({ minute: spikeAt, jobs: 500, occurrences: 0 });
    expect(at(T0 + 30 * MIN).jobs).toBe(1);
    // The hourly schedule fires at every full hour of the window: 24 times (06:15 → next 07:00 … 06:00 next day).
    expect(f.minutes.reduce((s, m) => s + m.occurrences, 0)).toBe(24);
    expect(at(T0 + 45 * MIN).occurrences).toBe(1);
    expect(f.spikes).toEqual([{ minute: spikeAt, count: 500, queues: [{ queue: 'bulk', count: 500 }] }]);
    expect(f.queues).toEqual([{ queue: 'bulk', count: 501 }, { queue: 'tick', count: 24 }]);
    expect(f).toMatchObject({ schedules: 1, truncated: [] });
  });

  it('the forecast applies each schedule\'s own spread, end date and run limit to a rule it shares', async () => {
    const { kairos } = await openKairos();
    const rule = { cron: '0 * * * *' };
    await kairos.schedules.upsert({ id: 'plain', queue: 'a', rule, payload: {} });
    await kairos.schedules.upsert({ id: 'spread', queue: 'b', rule, payload: {}, spreadMs: 30 * MIN });
    await kairos.schedules.upsert({ id: 'limited', queue: 'c', rule, payload: {}, maxRuns: 3 });
    await kairos.schedules.upsert({ id: 'ending', queue: 'd', rule, payload: {}, endAt: new Date(T0 + 5 * 3_600_000) });
    const f = await kairos.insights.forecast();
    expect(Object.fromEntries(f.queues.map((q) => [q.queue, q.count]))).toEqual({ a: 24, b: 24, c: 3, d: 5 });
    const plainMinutes = f.minutes.filter((m) => m.occurrences > 0).map((m) => new Date(m.minute).getUTCMinutes());
    // 'plain', 'limited' and 'ending' fire at :00; 'spread' at its own offset inside the half hour after.
    const offsets = new Set(plainMinutes);
    expect(offsets.has(0)).toBe(true);
    expect(offsets.size).toBe(2);
    expect([...offsets].find((m) => m !== 0)).toBeLessThan(30);
  });
});
