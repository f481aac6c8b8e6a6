/**
 * The schedule commands of the CLI (schedules ls/show/add/rm/pause/resume/preview, calendars, status and a bare
 * `kairos`), run as child processes. Occurrences are computed from a --start-at in 2030, so nothing depends on today.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runJson, tempStore } from './cli-process.js';

/** A schedule as `--json` prints it (instants as ISO strings). */
interface ScheduleJson {
  id: string;
  queue: string;
  rule: Record<string, unknown>;
  payload: unknown;
  paused: boolean;
  runs: number;
  nextAt: string | null;
  maxRuns: number | null;
  misfireGraceMs: number;
}

interface PreviewJson {
  at: string;
  fireAt: string;
  local: string;
  tz: string;
}

interface HistoryJson {
  occurrenceAt: string;
  status: string;
  jobId: number | null;
  jobState: string | null;
  reason: string | null;
}

interface ErrorJson {
  error: { code: string; message: string; field: string | null };
}

/** Day 31 clamped, 09:00 in Seoul, from 1 Nov 2030: the last day of each month, 00:00Z. */
const CLAMPED = ['--cron', '0 9 31 * *', '--tz', 'Asia/Seoul', '--clamp-day-of-month', '--start-at', '2030-11-01T00:00:00Z'];
const CLAMPED_DAYS = ['2030-11-30', '2030-12-31', '2031-01-31', '2031-02-28', '2031-03-31'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('kairos CLI: schedules', () => {
  it('add stores a cron schedule with its zone; ls and preview show its occurrences in UTC and local time', async (ctx) => {
    const { store } = tempStore(ctx);
    const added = await runJson<{ created: boolean; schedule: ScheduleJson; next: PreviewJson[] }>(store, ['schedules', 'add', 'invoices', '--queue', 'billing', ...CLAMPED]);
    expect(added.created).toBe(true);
    expect(added.schedule).toMatchObject({ id: 'invoices', queue: 'billing', paused: false, runs: 0, rule: { cron: '0 9 31 * *', tz: 'Asia/Seoul', clampDayOfMonth: true } });
    expect(added.next.map((e) => e.local)).toEqual(CLAMPED_DAYS.map((d) => `${d}T09:00:00+09:00`));

    const list = await runJson<{ schedules: ScheduleJson[] }>(store, ['schedules', 'ls']);
    expect(list.schedules).toHaveLength(1);
    expect(list.schedules[0]).toMatchObject({ id: 'invoices', nextAt: '2030-11-30T00:00:00.000Z', paused: false, runs: 0 });

    const stored = await runJson<{ occurrences: PreviewJson[] }>(store, ['schedules', 'preview', 'invoices', '-n', '4']);
    expect(stored.occurrences).toEqual(
      CLAMPED_DAYS.slice(0, 4).map((d) => ({ at: `${d}T00:00:00.000Z`, fireAt: `${d}T00:00:00.000Z`, local: `${d}T09:00:00+09:00`, tz: 'Asia/Seoul' })),
    );
    // The same rule as flags, not stored, gives the same occurrences.
    expect(await runJson(store, ['schedules', 'preview', ...CLAMPED, '-n', '4'])).toEqual(stored);

    const table = await runCli(store, ['schedules', 'ls']);
    expect(table.stdout).toMatch(/^ID\s+QUEUE\s+RULE\s+NEXT \(UTC\)\s+NEXT \(LOCAL\)\s+PAUSED\s+RUNS$/m);
    expect(table.stdout).toMatch(/^invoices\s+billing\s+cron 0 9 31 \* \* Asia\/Seoul, clamped\s+2030-11-30T00:00:00\.000Z\s+2030-11-30T09:00:00\+09:00\s+no\s+0$/m);
  });

  it('a rule that can never fire exits 3 naming it; flags of two rule kinds are a usage error', async (ctx) => {
    const { store } = tempStore(ctx);
    const impossible = await runCli(store, ['schedules', 'add', 'feb30', '--queue', 'q', '--cron', '0 0 30 2 *', '--json']);
    expect(impossible.code).toBe(3);
    expect(impossible.stderr).toMatch(/^error SCHEDULE_RULE_IMPOSSIBLE: cron '0 0 30 2 \*' can never fire/m);
    expect((JSON.parse(impossible.stdout) as ErrorJson).error).toMatchObject({ code: 'SCHEDULE_RULE_IMPOSSIBLE', field: 'cron' });
    expect((await runCli(store, ['schedules', 'preview', '--cron', '0 0 30 2 *'])).code).toBe(3);

    const zone = await runCli(store, ['schedules', 'add', 'x', '--queue', 'q', '--cron', '0 9 * * *', '--tz', 'Mars/Olympus']);
    expect(zone.code).toBe(3);
    expect(zone.stderr).toMatch(/^error SCHEDULE_RULE_INVALID: tz /m);

    const both = await runCli(store, ['schedules', 'add', 'x', '--queue', 'q', '--cron', '0 9 * * *', '--every-ms', '60000']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with/);
    expect((await runCli(store, ['schedules', 'add', 'x', '--queue', 'q'])).code).toBe(2);
    expect((await runJson<{ schedules: unknown[] }>(store, ['schedules', 'ls'])).schedules).toEqual([]);
  });

  it('pause, resume and rm; an unknown id exits 4', async (ctx) => {
    const { store } = tempStore(ctx);
    const added = await runJson<{ schedule: ScheduleJson }>(store, ['schedules', 'add', 'hourly', '--queue', 'q', '--every-ms', '3600000', '--paused']);
    expect(added.schedule.paused).toBe(true);
    expect(await runJson(store, ['schedules', 'resume', 'hourly'])).toMatchObject({ id: 'hourly', paused: false });
    expect(await runJson(store, ['schedules', 'pause', 'hourly'])).toMatchObject({ id: 'hourly', paused: true });
    expect((await runCli(store, ['schedules', 'ls'])).stdout).toMatch(/^hourly\s+q\s+every 3600000ms\s+\S+\s+\S+\s+yes\s+0$/m);

    expect(await runJson(store, ['schedules', 'rm', 'hourly'])).toEqual({ removed: true, id: 'hourly' });
    for (const command of ['rm', 'pause', 'resume', 'show', 'preview']) {
      const r = await runCli(store, ['schedules', command, 'hourly', '--json']);
      expect(r.code, command).toBe(4);
      expect((JSON.parse(r.stdout) as ErrorJson).error, command).toMatchObject({ code: 'SCHEDULE_NOT_FOUND', field: 'id' });
    }
  });

  it('maintenance enqueues due occurrences; show lists them with their jobs', async (ctx) => {
    const { store } = tempStore(ctx);
    const template = JSON.stringify({ at: '{{occurrenceAt}}' });
    await runJson(store, ['schedules', 'add', 'tick', '--queue', 'ticks', '--every-ms', '1000', '--misfire-grace-ms', '60000', '--payload', '-'], template);
    await sleep(2500);
    const { materialized } = await runJson<{ materialized: number }>(store, ['maintenance']);
    expect(materialized).toBeGreaterThanOrEqual(2);

    const shown = await runJson<{ schedule: ScheduleJson; history: HistoryJson[] }>(store, ['schedules', 'show', 'tick']);
    expect(shown.schedule.runs).toBe(materialized);
    expect(shown.history).toHaveLength(materialized);
    for (const h of shown.history) expect(h).toMatchObject({ status: 'enqueued', jobId: expect.any(Number) as number, jobState: 'scheduled', reason: null });
    const instants = shown.history.map((h) => Date.parse(h.occurrenceAt));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));

    const newest = shown.history[0]!;
    const job = await runJson<{ queue: string; payload: unknown }>(store, ['jobs', 'show', String(newest.jobId)]);
    expect(job).toEqual(expect.objectContaining({ queue: 'ticks', payload: { at: newest.occurrenceAt } }));
    expect((await runJson<{ history: HistoryJson[] }>(store, ['schedules', 'show', 'tick', '--limit', '1'])).history).toEqual([newest]);
    expect((await runCli(store, ['schedules', 'show', 'tick'])).stdout).toMatch(/^\S+Z\s+enqueued\s+\d+\s+scheduled$/m);
  });

  it('calendars set, ls and rm; a rule skips the calendar dates', async (ctx) => {
    const { store } = tempStore(ctx);
    expect(await runJson(store, ['calendars', 'set', 'kr', '2031-01-01', '2030-12-25'])).toEqual({ name: 'kr', dates: ['2030-12-25', '2031-01-01'] });
    expect(await runJson(store, ['calendars', 'set', 'us', '--file', '-'], '["2030-07-04"]')).toEqual({ name: 'us', dates: ['2030-07-04'] });
    const list = await runJson<{ calendars: { name: string; dates: string[] }[] }>(store, ['calendars', 'ls']);
    expect(list.calendars.map((c) => [c.name, c.dates.length])).toEqual([['kr', 2], ['us', 1]]);

    const daily = ['--cron', '0 9 * * *', '--tz', 'Asia/Seoul', '--calendar', 'kr', '--start-at', '2030-12-24T00:00:00Z'];
    const preview = await runJson<{ occurrences: PreviewJson[] }>(store, ['schedules', 'preview', ...daily, '-n', '2']);
    expect(preview.occurrences.map((e) => e.local)).toEqual(['2030-12-24T09:00:00+09:00', '2030-12-26T09:00:00+09:00']);
    await runJson(store, ['schedules', 'add', 'standup', '--queue', 'q', ...daily]);

    const inUse = await runCli(store, ['calendars', 'rm', 'kr', '--json']);
    expect(inUse.code).toBe(5);
    expect((JSON.parse(inUse.stdout) as ErrorJson).error).toMatchObject({ code: 'CALENDAR_IN_USE', field: 'name' });
    await runJson(store, ['schedules', 'rm', 'standup']);
    const removed = await runCli(store, ['calendars', 'rm', 'kr', '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: true, name: 'kr' });
    const again = await runCli(store, ['calendars', 'rm', 'kr']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^error CALENDAR_NOT_FOUND: /m);
    const bad = await runCli(store, ['calendars', 'set', 'kr', '2030-02-30', '--json']);
    expect(bad.code).toBe(3);
    expect((JSON.parse(bad.stdout) as ErrorJson).error).toMatchObject({ code: 'CALENDAR_INVALID', field: 'dates[0]' });
  });

  it('add --file upserts every definition, and none when one is invalid', async (ctx) => {
    const { store, dir } = tempStore(ctx);
    const file = join(dir, 'schedules.json');
    const defs = [
      { id: 'a', queue: 'q', rule: { cron: '0 9 * * MON', tz: 'Europe/Paris' }, startAt: '2030-01-01T00:00:00Z' },
      { id: 'b', queue: 'q', rule: { everyMs: 60_000 }, maxRuns: 3 },
    ];
    writeFileSync(file, JSON.stringify(defs));
    const first = await runJson<{ schedules: { created: boolean; schedule: ScheduleJson; next: PreviewJson[] }[] }>(store, ['schedules', 'add', '--file', file]);
    expect(first.schedules.map((s) => [s.schedule.id, s.created, s.next.length])).toEqual([['a', true, 5], ['b', true, 3]]);
    expect(first.schedules[0]!.next[0]!.local).toBe('2030-01-07T09:00:00+01:00');

    writeFileSync(file, JSON.stringify([{ ...defs[0], queue: 'other' }, { ...defs[1], rule: { everyMs: 10 } }]));
    const invalid = await runCli(store, ['schedules', 'add', '--file', file, '--json']);
    expect(invalid.code).toBe(3);
    expect((JSON.parse(invalid.stdout) as ErrorJson).error).toMatchObject({ code: 'SCHEDULE_RULE_INVALID', field: 'definitions[1].everyMs' });
    const list = await runJson<{ schedules: ScheduleJson[] }>(store, ['schedules', 'ls']);
    expect(list.schedules.map((s) => [s.id, s.queue])).toEqual([['a', 'q'], ['b', 'q']]);
  });

  it('a bare kairos prints the status and exits 0, without creating a store file', async (ctx) => {
    const { store, dir } = tempStore(ctx);
    const fresh = await runCli(store, []);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/no database file yet/);
    expect(existsSync(join(dir, 'kairos.db'))).toBe(false);

    await runJson(store, ['enqueue', 'emails', '{}', '--delay-ms', '600000']);
    await runJson(store, ['schedules', 'add', 'nightly', '--queue', 'reports', '--cron', '@daily', '--paused']);
    const bare = await runCli(store, []);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain(`store      ${store}`);
    expect(bare.stdout).toMatch(/^schema\s+version \d+$/m);
    expect(bare.stdout).toMatch(/^jobs\s+1: 1 scheduled$/m);
    expect(bare.stdout).toMatch(/^schedules\s+1, 1 paused$/m);
    expect(bare.stdout).toMatch(/^commands: .*schedules.*kairos --help/m);

    const status = await runJson<{ version: number; jobs: { total: number; byQueue: Record<string, Record<string, number>> }; schedules: unknown }>(store, ['status']);
    expect(status.version).toBeGreaterThanOrEqual(2);
    expect(status.jobs.total).toBe(1);
    expect(status.jobs.byQueue.emails).toMatchObject({ scheduled: 1, running: 0 });
    expect(status.schedules).toEqual({ total: 1, paused: 1 });
    expect(JSON.parse((await runCli(store, ['--json'])).stdout)).toEqual(status);
  });
});
