/** Recurring schedules through the public API, with a fake clock that also drives the store's idea of now. */
import { expect, it } from 'vitest';
import { collectEvents, waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

const MIN = 60_000;
// A whole minute, so per-minute rules line up: 2026-06-01T06:15:00Z.
const START = Date.UTC(2026, 5, 1, 6, 15, 0);

describeEachStore('schedules', ({ openKairos }) => {
  it('turns each occurrence into one job, due at the occurrence, with the schedule in the context', async () => {
    const { kairos, clock } = await openKairos();
    const seen: { at: string; key: string; payload: unknown; runAt: number }[] = [];
    kairos.handle('push', async (job, ctx) => {
      seen.push({ at: ctx.schedule!.occurrenceAt.toISOString(), key: ctx.idempotencyKey, payload: job.payload, runAt: job.runAt.getTime() });
    });
    await kairos.schedules.upsert({ id: 'reminder', queue: 'push', rule: { cron: '* * * * *' }, payload: { note: 'for {{occurrenceAt}}' } });
    await kairos.start();
    const three = collectEvents(kairos, 'job:completed', 3);
    for (let i = 0; i < 3; i++) {
      await clock.advance(MIN);
      await kairos.idle();
    }
    await three;
    expect(seen.map((s) => s.at)).toEqual([1, 2, 3].map((i) => new Date(START + i * MIN).toISOString()));
    expect(seen[0]).toEqual({
      at: '2026-06-01T06:16:00.000Z',
      key: 'kairos:schedule:reminder@2026-06-01T06:16:00.000Z',
      payload: { note: 'for 2026-06-01T06:16:00.000Z' },
      runAt: START + MIN,
    });
    const s = (await kairos.schedules.get('reminder'))!;
    expect(s).toMatchObject({ runs: 3, nextAt: new Date(START + 4 * MIN), lastOccurrenceAt: new Date(START + 3 * MIN) });
    const history = await kairos.schedules.history('reminder');
    expect(history.map((h) => [h.occurrenceAt.getTime(), h.status, h.jobState])).toEqual([
      [START + 3 * MIN, 'enqueued', 'completed'],
      [START + 2 * MIN, 'enqueued', 'completed'],
      [START + MIN, 'enqueued', 'completed'],
    ]);
  });

  it.each([
    ['skip', 0, 5],
    ['once', 1, 4],
    ['all', 3, 2],
  ] as const)('misfire %s after downtime: %i catch-up jobs, %i recorded missed', async (misfire, jobs, missed) => {
    const { kairos, clock } = await openKairos();
    await kairos.schedules.upsert({ id: 'm', queue: 'q', rule: { cron: '* * * * *' }, misfire, catchUpLimit: 3, misfireGraceMs: 5_000 });
    await clock.advance(5 * MIN + 30_000); // no instance running for five occurrences
    await kairos.runMaintenance();
    const history = await kairos.schedules.history('m');
    expect(history.filter((h) => h.status === 'enqueued')).toHaveLength(jobs);
    expect(history.filter((h) => h.status === 'missed')).toHaveLength(missed);
    if (jobs > 0) expect(history.find((h) => h.status === 'enqueued')!.occurrenceAt.getTime()).toBe(START + 5 * MIN);
    expect((await kairos.schedules.get('m'))!.nextAt).toEqual(new Date(START + 6 * MIN));
  });

  it('overlap skip records occurrences that come while the previous job still runs', async () => {
    const { kairos, clock } = await openKairos();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    kairos.handle('slow', async () => {
      runs++;
      if (runs === 1) await gate;
    });
    await kairos.schedules.upsert({ id: 'o', queue: 'slow', rule: { cron: '* * * * *' }, overlap: 'skip' });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    await clock.advance(MIN);
    await started;
    await clock.advance(MIN);
    await kairos.idle();
    await clock.advance(MIN);
    await kairos.idle();
    release();
    const next = waitForEvent(kairos, 'job:completed', (e) => e.attempt === 1 && runs === 2);
    await kairos.idle();
    await clock.advance(MIN);
    await next;
    const statuses = (await kairos.schedules.history('o')).reverse().map((h) => h.status);
    expect(statuses).toEqual(['enqueued', 'skipped', 'skipped', 'enqueued']);
  });

  it('overlap buffer-one keeps one occurrence waiting and releases it when the previous job ends', async () => {
    const { kairos, clock } = await openKairos();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    kairos.handle('slow', async (_job, ctx) => {
      ran.push(ctx.schedule!.occurrenceAt.toISOString());
      if (ran.length === 1) await gate;
    });
    await kairos.schedules.upsert({ id: 'b', queue: 'slow', rule: { cron: '* * * * *' }, overlap: 'buffer-one' });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    await clock.advance(MIN);
    await started;
    await clock.advance(MIN);
    await kairos.idle();
    await clock.advance(MIN);
    await kairos.idle();
    expect((await kairos.schedules.get('b'))!.bufferedAt).toEqual(new Date(START + 2 * MIN));
    const second = waitForEvent(kairos, 'job:completed', () => ran.length === 2);
    release();
    await second;
    expect(ran).toEqual([new Date(START + MIN).toISOString(), new Date(START + 2 * MIN).toISOString()]);
    const statuses = (await kairos.schedules.history('b')).reverse().map((h) => h.status);
    expect(statuses).toEqual(['enqueued', 'enqueued', 'skipped']);
    expect((await kairos.schedules.get('b'))!.bufferedAt).toBeNull();
  });

  it('a spread window fires every occurrence at the same deterministic offset', async () => {
    const { kairos } = await openKairos();
    const a = await kairos.schedules.preview({ id: 'herd-1', queue: 'q', rule: { cron: '0 * * * *' }, spreadMs: 60_000 }, 3);
    const b = await kairos.schedules.preview({ id: 'herd-1', queue: 'q', rule: { cron: '0 * * * *' }, spreadMs: 60_000 }, 3);
    const c = await kairos.schedules.preview({ id: 'herd-2', queue: 'q', rule: { cron: '0 * * * *' }, spreadMs: 60_000 }, 3);
    const offsets = a.map((e) => e.fireAt.getTime() - e.at.getTime());
    expect(new Set(offsets).size).toBe(1);
    expect(offsets[0]).toBeGreaterThanOrEqual(0);
    expect(offsets[0]).toBeLessThan(60_000);
    expect(b).toEqual(a);
    expect(c[0]!.fireAt.getTime() - c[0]!.at.getTime()).not.toBe(offsets[0]);
  });

  it('start, end and maxRuns bound the occurrences; an ended schedule has no next occurrence', async () => {
    const { kairos, clock } = await openKairos();
    await kairos.schedules.upsert({ id: 'limited', queue: 'q', rule: { everyMs: MIN }, maxRuns: 2, startAt: new Date(START + 3 * MIN) });
    expect((await kairos.schedules.preview('limited', 5)).map((e) => e.at.getTime())).toEqual([START + 3 * MIN, START + 4 * MIN]);
    await kairos.schedules.upsert({ id: 'ending', queue: 'q', rule: { everyMs: MIN }, endAt: new Date(START + 2 * MIN) });
    await kairos.start();
    await clock.advance(6 * MIN);
    await kairos.idle();
    expect(await kairos.schedules.get('limited')).toMatchObject({ runs: 2, nextAt: null });
    expect(await kairos.schedules.get('ending')).toMatchObject({ runs: 2, nextAt: null });
  });

  it('pause stops occurrences without counting them missed; resume continues after now', async () => {
    const { kairos, clock } = await openKairos();
    await kairos.schedules.upsert({ id: 'p', queue: 'q', rule: { cron: '* * * * *' } });
    await kairos.start();
    await kairos.schedules.pause('p');
    await clock.advance(3 * MIN + 1_000);
    await kairos.idle();
    expect(await kairos.schedules.history('p')).toEqual([]);
    expect((await kairos.schedules.preview('p', 1))[0]!.at).toEqual(new Date(START + 4 * MIN));
    const resumed = await kairos.schedules.resume('p');
    expect(resumed).toMatchObject({ paused: false, nextAt: new Date(START + 4 * MIN) });
    await clock.advance(MIN);
    await kairos.idle();
    expect((await kairos.schedules.history('p')).map((h) => h.occurrenceAt.getTime())).toEqual([START + 4 * MIN]);
  });

  it('updating the rule never produces an occurrence twice; an unchanged upsert keeps the place', async () => {
    const { kairos, clock } = await openKairos();
    await kairos.schedules.upsert({ id: 'u', queue: 'q', rule: { cron: '* * * * *' } });
    await kairos.start();
    await clock.advance(MIN);
    await kairos.idle();
    // The new rule also matches 06:16, which was already produced.
    await kairos.schedules.upsert({ id: 'u', queue: 'q', rule: { cron: '*/30 * * * * *' } });
    expect((await kairos.schedules.get('u'))!.nextAt).toEqual(new Date(START + MIN + 30_000));
    await clock.advance(MIN);
    await kairos.idle();
    const at = (await kairos.schedules.history('u')).map((h) => h.occurrenceAt.getTime()).sort();
    expect(at).toEqual([START + MIN, START + MIN + 30_000, START + 2 * MIN]);
    await kairos.stop();
    await clock.advance(5 * MIN);
    await kairos.schedules.upsert({ id: 'u', queue: 'q', rule: { cron: '*/30 * * * * *' } });
    expect((await kairos.schedules.get('u'))!.nextAt).toEqual(new Date(START + 2 * MIN + 30_000));
  });

  it('sync creates, updates (keeping runs) and removes only what an earlier sync created', async () => {
    const { kairos, clock } = await openKairos();
    await kairos.schedules.upsert({ id: 'from-api', queue: 'q', rule: { cron: '0 * * * *' } });
    const first = await kairos.schedules.sync([
      { id: 'a', queue: 'q', rule: { cron: '* * * * *' } },
      { id: 'b', queue: 'q', rule: { cron: '0 9 * * MON,FRI', tz: 'America/New_York' } },
    ]);
    expect(first).toEqual({ upserted: ['a', 'b'], removed: [] });
    await kairos.start();
    await clock.advance(MIN);
    await kairos.idle();
    const second = await kairos.schedules.sync([{ id: 'a', queue: 'q', rule: { cron: '* * * * *' }, payload: { v: 2 } }]);
    expect(second).toEqual({ upserted: ['a'], removed: ['b'] });
    expect(await kairos.schedules.get('a')).toMatchObject({ runs: 1, payload: { v: 2 }, source: 'code' });
    expect((await kairos.schedules.list()).map((s) => s.id)).toEqual(['a', 'from-api']);
    await expect(kairos.schedules.sync([{ id: 'x', queue: 'q', rule: { cron: '* * * * *' } }, { id: 'x', queue: 'q', rule: { cron: '* * * * *' } }])).rejects.toMatchObject({
      code: 'SCHEDULE_OPTION_INVALID',
    });
    // A bad definition anywhere in the list writes nothing.
    await expect(kairos.schedules.sync([{ id: 'new', queue: 'q', rule: { cron: '* * * * *' } }, { id: 'bad', queue: 'q', rule: { cron: '0 0 30 2 *' } }])).rejects.toMatchObject({
      code: 'SCHEDULE_RULE_IMPOSSIBLE',
    });
    expect(await kairos.schedules.get('new')).toBeNull();
  });

  it('holiday calendars move an occurrence to the next business day', async () => {
    const { kairos } = await openKairos();
    await expect(kairos.schedules.upsert({ id: 'r', queue: 'q', rule: { cron: '0 9 * * MON,FRI', tz: 'Asia/Seoul', calendar: 'kr-holidays', onHoliday: 'next-business-day' } })).rejects.toMatchObject({
      code: 'CALENDAR_NOT_FOUND',
    });
    await kairos.calendars.define('kr-holidays', ['2026-06-05']); // a Friday
    await kairos.schedules.upsert({ id: 'r', queue: 'q', rule: { cron: '0 9 * * MON,FRI', tz: 'Asia/Seoul', calendar: 'kr-holidays', onHoliday: 'next-business-day' } });
    const local = (await kairos.schedules.preview('r', 3)).map((e) => e.local);
    // Friday 5 June is a holiday: it moves to Monday 8 June, which is also a regular occurrence, so it fires once.
    expect(local).toEqual(['2026-06-08T09:00:00+09:00', '2026-06-12T09:00:00+09:00', '2026-06-15T09:00:00+09:00']);
    await expect(kairos.calendars.define('bad', ['2026-02-30'])).rejects.toMatchObject({ code: 'CALENDAR_INVALID', details: { field: 'dates[0]' } });
    await expect(kairos.calendars.remove('kr-holidays')).rejects.toMatchObject({ code: 'CALENDAR_IN_USE', details: { schedules: ['r'] } });
    await kairos.schedules.remove('r');
    await kairos.calendars.remove('kr-holidays');
    await expect(kairos.calendars.remove('kr-holidays')).rejects.toMatchObject({ code: 'CALENDAR_NOT_FOUND' });
    await expect(kairos.schedules.remove('r')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
    expect(await kairos.calendars.list()).toEqual([]);
  });

  it('an occurrence that could not start before its deadline shows as expired in the history', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async () => undefined, { concurrency: 1 });
    await kairos.schedules.upsert({ id: 'd', queue: 'q', rule: { cron: '* * * * *' }, deadlineMs: 1_000, misfire: 'all', misfireGraceMs: 0 });
    await clock.advance(MIN + 5_000);
    await kairos.runMaintenance(); // the occurrence is late: enqueued as catch-up, already past its deadline
    const expired = waitForEvent(kairos, 'job:expired');
    await kairos.start();
    await expired;
    const [h] = await kairos.schedules.history('d');
    expect(h).toMatchObject({ status: 'enqueued', jobState: 'expired' });
  });

  it('refuses bad definitions, naming what was wrong', async () => {
    const { kairos } = await openKairos();
    await expect(kairos.schedules.upsert({ id: 'x', queue: 'q', rule: { cron: '0 0 30 2 *' } })).rejects.toMatchObject({ code: 'SCHEDULE_RULE_IMPOSSIBLE' });
    await expect(kairos.schedules.upsert({ id: 'x', queue: 'q', rule: { cron: '61 * * * *' } })).rejects.toMatchObject({ code: 'SCHEDULE_RULE_INVALID' });
    await expect(kairos.schedules.upsert({ id: 'x', queue: 'q', rule: { cron: '* * * * *', tz: 'Mars/Olympus' } })).rejects.toMatchObject({ code: 'SCHEDULE_RULE_INVALID' });
    await expect(kairos.schedules.upsert({ id: 'x', queue: 'q', rule: { cron: '* * * * *' }, misfire: 'sometimes' } as never)).rejects.toMatchObject({ details: { field: 'misfire' } });
    await expect(kairos.schedules.upsert({ id: 'x', queue: 'q', rule: { cron: '* * * * *' }, jobOptions: { maxAttempts: 0 } })).rejects.toMatchObject({ details: { field: 'jobOptions.maxAttempts' } });
    await expect(kairos.schedules.upsert({ id: 'x y', queue: 'q', rule: { cron: '* * * * *' } })).rejects.toMatchObject({ details: { field: 'id' } });
    await expect(kairos.schedules.pause('nope')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
    expect(await kairos.schedules.list()).toEqual([]);
  });
});
