/**
 * Conformance: schedule upsert (compare-and-set) / get / list / pause / delete, materialization (list due, apply
 * fenced plans) with its occurrence key, calendars.
 */
import { describe, expect, it } from 'vitest';
import type { Driver, MaterializePlan, ScheduleRow, ScheduleWrite } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

function write(over: Partial<ScheduleWrite> = {}): ScheduleWrite {
  return {
    id: 's1', queue: 'q', rule: '{"everyMs":1000}', payload: '{"p":1}', jobOptions: null, misfire: 'once', catchUpLimit: 100, misfireGraceMs: 10_000,
    overlap: 'allow', deadlineMs: null, spreadMs: 0, startAt: null, endAt: null, maxRuns: null, paused: false, nextAt: T0, nextFireAt: T0,
    source: 'api', ...over,
  };
}

/** A plan that enqueues the schedule's next occurrence and moves it one second on. */
function oneStep(row: ScheduleRow): MaterializePlan {
  const at = row.nextAt!;
  return {
    occurrences: [{ at, fireAt: at, status: 'enqueued', reason: null, job: newJob({ queue: row.queue, runAt: at, scheduleId: row.id, occurrenceAt: at }) }],
    released: null, nextAt: at + 1000, nextFireAt: at + 1000, bufferedAt: null,
  };
}

/** One materializer pass as the engine makes it: read due rows, plan them outside the store, apply the fenced plans. */
async function materialize(d: Driver, now: number, plan: (row: ScheduleRow) => MaterializePlan | null = oneStep) {
  const rows = await d.scheduleListDue({ now, limit: 100 });
  const plans = rows.flatMap((row) => {
    const p = plan(row);
    return p === null ? [] : [{ scheduleId: row.id, version: row.version, plan: p }];
  });
  return plans.length === 0 ? [] : d.scheduleApplyPlans({ plans, now });
}

/** Create, or update at the stored version (an upsert that lost no race). */
async function upsert(d: Driver, schedule: ScheduleWrite, now: number) {
  const existing = await d.scheduleGet({ id: schedule.id });
  const written = await d.scheduleUpsert({ schedule, expectedVersion: existing?.version ?? null, now });
  if (written === null) throw new Error(`upsert of ${schedule.id} lost a race it should not have`);
  return written;
}

export function scheduleConformance(target: ConformanceTarget): void {
  describe('schedules', () => {
    const driver = useDriver(target);

    it('upserts, keeping runs and history fields across updates', async () => {
      const first = await upsert(driver(), write(), T0);
      expect(first.created).toBe(true);
      expect(first.row).toMatchObject({ id: 's1', runs: 0, paused: false, nextAt: T0, lastJobState: null, createdAt: T0, source: 'api' });
      await materialize(driver(), T0);
      const second = await upsert(driver(), write({ payload: '{"p":2}', nextAt: T0 + 1000, nextFireAt: T0 + 1000 }), T0 + 5);
      expect(second.created).toBe(false);
      expect(second.row).toMatchObject({ payload: '{"p":2}', runs: 1, lastOccurrenceAt: T0, createdAt: T0, updatedAt: T0 + 5, lastJobState: 'scheduled' });
      expect((await driver().scheduleList()).map((s) => s.id)).toEqual(['s1']);
    });

    it('materializes due schedules only, creating the jobs and recording each occurrence', async () => {
      await upsert(driver(), write(), T0);
      await upsert(driver(), write({ id: 'later', nextAt: T0 + 60_000, nextFireAt: T0 + 60_000 }), T0);
      const [r, ...rest] = await materialize(driver(), T0);
      expect(rest).toEqual([]);
      expect(r).toMatchObject({ scheduleId: 's1', applied: true, recorded: [] });
      expect(r!.jobs).toHaveLength(1);
      expect(await driver().jobGet({ id: r!.jobs[0]!.id })).toMatchObject({ scheduleId: 's1', occurrenceAt: T0, runAt: T0, state: 'scheduled' });
      expect(await driver().scheduleGet({ id: 's1' })).toMatchObject({ nextAt: T0 + 1000, runs: 1, lastJobId: r!.jobs[0]!.id });
      expect(await driver().occurrenceListBySchedule({ scheduleId: 's1', limit: 10 })).toMatchObject([{ occurrenceAt: T0, status: 'enqueued', jobId: r!.jobs[0]!.id, jobState: 'scheduled' }]);
      expect(await driver().scheduleNextFire()).toEqual({ nextFireAt: T0 + 1000, hasBuffered: false });
    });

    it('an occurrence already recorded never gets a second job, whoever plans it again', async () => {
      await upsert(driver(), write(), T0);
      await materialize(driver(), T0);
      // Put the schedule back on the same occurrence, as a racing instance with a stale read would.
      await upsert(driver(), write(), T0);
      const [again] = await materialize(driver(), T0);
      expect(again!.jobs).toEqual([]);
      expect((await driver().jobList({ limit: 10 })).jobs).toHaveLength(1);
      expect(await driver().occurrenceListBySchedule({ scheduleId: 's1', limit: 10 })).toHaveLength(1);
    });

    it('records missed, skipped and buffered occurrences, and releases a buffered one', async () => {
      await upsert(driver(), write(), T0);
      const [r] = await materialize(driver(), T0, (row) => ({
        occurrences: [
          { at: T0 - 2000, fireAt: T0 - 2000, status: 'missed', reason: 'down', job: null },
          { at: T0 - 1000, fireAt: T0 - 1000, status: 'skipped', reason: 'overlap', job: null },
          { at: T0, fireAt: T0, status: 'buffered', reason: 'waiting', job: null },
        ],
        released: null, nextAt: row.nextAt! + 1000, nextFireAt: row.nextAt! + 1000, bufferedAt: T0,
      }));
      expect(r!.recorded.map((o) => o.status)).toEqual(['missed', 'skipped', 'buffered']);
      expect(await driver().scheduleNextFire()).toEqual({ nextFireAt: T0 + 1000, hasBuffered: true });
      // The buffered schedule is offered again (its previous job is not active) even before its next fire time.
      const [released] = await materialize(driver(), T0 + 10, (row) => ({
        occurrences: [], released: { at: row.bufferedAt!, fireAt: T0 + 10, job: newJob({ runAt: T0 + 10, scheduleId: row.id, occurrenceAt: row.bufferedAt! }) },
        nextAt: row.nextAt, nextFireAt: row.nextFireAt, bufferedAt: null,
      }));
      expect(released!.jobs).toHaveLength(1);
      const history = await driver().occurrenceListBySchedule({ scheduleId: 's1', limit: 10 });
      expect(history.map((h) => [h.occurrenceAt - T0, h.status])).toEqual([[0, 'enqueued'], [-1000, 'skipped'], [-2000, 'missed']]);
    });

    it('skips paused schedules; deletes a schedule with its history but not its jobs', async () => {
      await upsert(driver(), write({ paused: true }), T0);
      expect(await materialize(driver(), T0)).toEqual([]);
      const paused = (await driver().scheduleGet({ id: 's1' }))!;
      expect(await driver().scheduleSetPaused({ id: 's1', paused: false, nextAt: T0, nextFireAt: T0, expectedVersion: paused.version + 1, now: T0 })).toBe(false);
      expect(await driver().scheduleSetPaused({ id: 's1', paused: false, nextAt: T0, nextFireAt: T0, expectedVersion: paused.version, now: T0 })).toBe(true);
      expect(await materialize(driver(), T0)).toHaveLength(1);
      expect(await driver().scheduleDelete({ id: 's1' })).toBe(true);
      expect(await driver().scheduleDelete({ id: 's1' })).toBe(false);
      expect(await driver().scheduleGet({ id: 's1' })).toBeNull();
      expect(await driver().occurrenceListBySchedule({ scheduleId: 's1', limit: 10 })).toEqual([]);
      expect((await driver().jobList({ limit: 10 })).jobs).toHaveLength(1);
    });

    it('upsert is a compare-and-set on the version: a stale or duplicate write changes nothing', async () => {
      const created = await driver().scheduleUpsert({ schedule: write(), expectedVersion: null, now: T0 });
      expect(created).toMatchObject({ created: true, row: { version: 1 } });
      expect(await driver().scheduleUpsert({ schedule: write({ payload: '{"p":9}' }), expectedVersion: null, now: T0 })).toBeNull();
      await materialize(driver(), T0);
      const moved = (await driver().scheduleGet({ id: 's1' }))!;
      expect(moved.version).toBeGreaterThan(1);
      // An upsert computed from the row before the materializer moved it loses, and writes nothing.
      expect(await driver().scheduleUpsert({ schedule: write({ payload: '{"p":9}' }), expectedVersion: 1, now: T0 + 1 })).toBeNull();
      expect(await driver().scheduleGet({ id: 's1' })).toMatchObject({ payload: '{"p":1}', nextAt: T0 + 1000, version: moved.version });
      const updated = await driver().scheduleUpsert({ schedule: write({ payload: '{"p":9}', nextAt: T0 + 1000, nextFireAt: T0 + 1000 }), expectedVersion: moved.version, now: T0 + 1 });
      expect(updated).toMatchObject({ created: false, row: { payload: '{"p":9}', runs: 1, version: moved.version + 1 } });
      expect(await driver().scheduleUpsert({ schedule: write({ id: 'ghost' }), expectedVersion: 1, now: T0 })).toBeNull();
      expect(await driver().scheduleGet({ id: 'ghost' })).toBeNull();
    });

    it('a plan made from a stale read is not applied, and nothing of it is written', async () => {
      await upsert(driver(), write(), T0);
      const [row] = await driver().scheduleListDue({ now: T0, limit: 10 });
      expect(row).toMatchObject({ id: 's1', version: 1 });
      const [winner] = await materialize(driver(), T0);
      expect(winner!.applied).toBe(true);
      const [loser] = await driver().scheduleApplyPlans({ plans: [{ scheduleId: 's1', version: row!.version, plan: oneStep(row!) }], now: T0 });
      expect(loser).toEqual({ scheduleId: 's1', applied: false, jobs: [], recorded: [] });
      expect((await driver().jobList({ limit: 10 })).jobs).toHaveLength(1);
      expect(await driver().scheduleGet({ id: 's1' })).toMatchObject({ runs: 1, nextAt: T0 + 1000 });
      const [gone] = await driver().scheduleApplyPlans({ plans: [{ scheduleId: 'missing', version: 1, plan: oneStep(row!) }], now: T0 });
      expect(gone!.applied).toBe(false);
    });

    it('lists due schedules without writing: a second read sees the same rows', async () => {
      await upsert(driver(), write(), T0);
      await upsert(driver(), write({ id: 's2', nextAt: T0 + 5000, nextFireAt: T0 + 5000 }), T0);
      expect((await driver().scheduleListDue({ now: T0, limit: 10 })).map((r) => r.id)).toEqual(['s1']);
      expect((await driver().scheduleListDue({ now: T0, limit: 10 })).map((r) => r.id)).toEqual(['s1']);
      expect((await driver().scheduleListDue({ now: T0 + 5000, limit: 10 })).map((r) => r.id)).toEqual(['s1', 's2']);
      expect((await driver().scheduleListDue({ now: T0 + 5000, limit: 1 })).map((r) => r.id)).toEqual(['s1']);
    });

    it('prunes occurrence records older than the cut-off', async () => {
      await upsert(driver(), write(), T0);
      await materialize(driver(), T0);
      expect(await driver().occurrencePrune({ before: T0, limit: 10 })).toBe(0);
      expect(await driver().occurrencePrune({ before: T0 + 1, limit: 10 })).toBe(1);
    });

    it('stores calendars', async () => {
      await driver().calendarUpsert({ name: 'kr', dates: ['2026-01-01'], now: T0 });
      await driver().calendarUpsert({ name: 'kr', dates: ['2026-01-01', '2026-02-17'], now: T0 + 1 });
      expect(await driver().calendarList()).toEqual([{ name: 'kr', dates: '["2026-01-01","2026-02-17"]', updatedAt: T0 + 1 }]);
      expect(await driver().calendarDelete({ name: 'kr' })).toBe(true);
      expect(await driver().calendarDelete({ name: 'kr' })).toBe(false);
    });
  });
}
