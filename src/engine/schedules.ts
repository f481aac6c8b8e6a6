/**
 * The schedules API of an instance: upsert, sync (declarative, from code), pause/resume, delete, preview and history;
 * and holiday calendars. Definitions are validated here (core/schedule/schedule-definition.ts, compileRule) before the store
 * sees them; occurrences are produced by the ScheduleMaterializer.
 */
import { KairosError } from '../core/errors.js';
import type { JobState } from '../core/job-state.js';
import { normalizeSchedule, spreadOffsetMs, type ScheduleDefinition, type ScheduleJobOptions } from '../core/schedule/schedule-definition.js';
import { compileRule, formatLocal, validateCalendarDates, type CompiledRule, type ScheduleRule } from '../core/schedule/index.js';
import type { Driver, OccurrenceRow, ScheduleRow } from '../driver/driver.js';
import { loadCalendars, type ScheduleMaterializer } from './schedule-materializer.js';
import type { EngineConfig } from './store-clock.js';

/** A stored schedule as the API returns it. */
export interface Schedule {
  id: string;
  queue: string;
  rule: ScheduleRule;
  payload: unknown;
  jobOptions: ScheduleJobOptions | null;
  misfire: ScheduleRow['misfire'];
  catchUpLimit: number;
  misfireGraceMs: number;
  overlap: ScheduleRow['overlap'];
  deadlineMs: number | null;
  spreadMs: number;
  startAt: Date | null;
  endAt: Date | null;
  maxRuns: number | null;
  /** Jobs produced so far. */
  runs: number;
  paused: boolean;
  /** The next occurrence not yet handled (nominal), and when its job will be due; null once the schedule ended. */
  nextAt: Date | null;
  nextFireAt: Date | null;
  bufferedAt: Date | null;
  lastOccurrenceAt: Date | null;
  lastJobId: number | null;
  lastJobState: JobState | null;
  source: 'api' | 'code';
  createdAt: Date;
  updatedAt: Date;
}

/** One upcoming occurrence. */
export interface PreviewEntry {
  /** The occurrence instant (UTC). */
  at: Date;
  /** When its job is due (at + the spread offset). */
  fireAt: Date;
  /** The occurrence in the schedule's time zone, ISO 8601 with its offset (`2026-03-31T09:00:00+09:00`). */
  local: string;
  tz: string;
}

/** One entry of a schedule's history. */
export interface OccurrenceRecord {
  occurrenceAt: Date;
  fireAt: Date;
  status: OccurrenceRow['status'];
  reason: string | null;
  jobId: number | null;
  /** What became of the job (completed, failed, expired, …). */
  jobState: JobState | null;
  recordedAt: Date;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Compare-and-set rounds of one upsert before it gives up (each lost round means the row changed meanwhile). */
const UPSERT_TRIES = 5;

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id, queue: row.queue, rule: JSON.parse(row.rule) as ScheduleRule, payload: JSON.parse(row.payload) as unknown,
    jobOptions: row.jobOptions === null ? null : (JSON.parse(row.jobOptions) as ScheduleJobOptions), misfire: row.misfire,
    catchUpLimit: row.catchUpLimit, misfireGraceMs: row.misfireGraceMs, overlap: row.overlap, deadlineMs: row.deadlineMs, spreadMs: row.spreadMs,
    startAt: date(row.startAt), endAt: date(row.endAt), maxRuns: row.maxRuns, runs: row.runs, paused: row.paused, nextAt: date(row.nextAt),
    nextFireAt: date(row.nextFireAt), bufferedAt: date(row.bufferedAt), lastOccurrenceAt: date(row.lastOccurrenceAt), lastJobId: row.lastJobId,
    lastJobState: row.lastJobState, source: row.source, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt),
  };
}

function notFound(id: string): KairosError {
  return new KairosError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`, { details: { field: 'id' } });
}

export class Schedules {
  constructor(
    private readonly driver: Driver,
    private readonly config: EngineConfig,
    private readonly materializer: ScheduleMaterializer,
  ) {}

  /**
   * Create or update a schedule. An unchanged rule keeps its place (occurrences missed while down follow `misfire`).
   * The write is a compare-and-set on the version read here: if a materializer pass or another upsert changes the
   * schedule in between, the next occurrence is computed again from the new row.
   */
  async upsert(definition: ScheduleDefinition, options: { source?: 'api' | 'code' } = {}): Promise<Schedule> {
    const n = normalizeSchedule(definition, this.config.payloadMaxBytes);
    const calendars = await loadCalendars(this.driver);
    const compiled = compileRule(n.rule, calendars.set);
    const rule = JSON.stringify(compiled.rule);
    for (let attempt = 1; ; attempt++) {
      const existing = await this.driver.scheduleGet({ id: n.id });
      const nextAt = this.nextAfterUpsert(n, rule, compiled, existing);
      const paused = (definition as { paused?: boolean }).paused ?? existing?.paused ?? false;
      const written = await this.driver.scheduleUpsert({
        schedule: {
          ...n, rule, paused, nextAt, nextFireAt: nextAt === null ? null : nextAt + spreadOffsetMs(n.id, n.spreadMs),
          source: options.source ?? 'api',
        },
        expectedVersion: existing?.version ?? null,
        now: this.config.clock.param(),
      });
      if (written !== null) {
        this.materializer.wake();
        return toSchedule(written.row);
      }
      if (attempt >= UPSERT_TRIES) {
        throw new KairosError('STORE_BUSY', `schedule "${n.id}" changed under ${UPSERT_TRIES} upserts in a row; try again`, { details: { field: 'id' } });
      }
    }
  }

  /** Where an upserted schedule goes on: its place when the timing fields are unchanged, else the first occurrence after now. */
  private nextAfterUpsert(n: ReturnType<typeof normalizeSchedule>, rule: string, compiled: CompiledRule, existing: ScheduleRow | null): number | null {
    const same = existing !== null && existing.rule === rule && existing.startAt === n.startAt && existing.endAt === n.endAt && existing.maxRuns === n.maxRuns;
    if (same && existing.nextAt !== null) return existing.nextAt;
    // Strictly after now (a schedule created at 09:00:00 for "0 9 * * *" starts tomorrow), at or after startAt,
    // and never at or before an occurrence already produced.
    const floor = Math.max(this.config.clock.now(), (n.startAt ?? -Infinity) - 1, existing?.lastOccurrenceAt ?? -Infinity);
    let nextAt = compiled.next(floor);
    if (nextAt !== null && n.endAt !== null && nextAt > n.endAt) nextAt = null;
    if (n.maxRuns !== null && (existing?.runs ?? 0) >= n.maxRuns) nextAt = null;
    return nextAt;
  }

  /**
   * Declare the schedules an application defines in code, at start-up: creates and updates them (keeping their
   * runs, history and place), and removes schedules that an earlier sync created and this list no longer has.
   * Schedules created through upsert() are never removed by sync.
   */
  async sync(definitions: readonly ScheduleDefinition[]): Promise<{ upserted: string[]; removed: string[] }> {
    const ids = new Set<string>();
    for (const [i, d] of definitions.entries()) {
      const id = (d as { id?: unknown }).id;
      if (typeof id === 'string' && ids.has(id)) {
        throw new KairosError('SCHEDULE_OPTION_INVALID', `definitions[${i}].id: "${id}" appears twice`, { details: { field: `definitions[${i}].id` } });
      }
      if (typeof id === 'string') ids.add(id);
    }
    // Validate everything before writing anything.
    const calendars = await loadCalendars(this.driver);
    for (const d of definitions) compileRule(normalizeSchedule(d, this.config.payloadMaxBytes).rule, calendars.set);
    const upserted: string[] = [];
    for (const d of definitions) upserted.push((await this.upsert(d, { source: 'code' })).id);
    const removed: string[] = [];
    for (const row of await this.driver.scheduleList()) {
      if (row.source === 'code' && !ids.has(row.id) && (await this.driver.scheduleDelete({ id: row.id }))) removed.push(row.id);
    }
    return { upserted, removed };
  }

  async get(id: string): Promise<Schedule | null> {
    const row = await this.driver.scheduleGet({ id });
    return row === null ? null : toSchedule(row);
  }

  async list(): Promise<Schedule[]> {
    return (await this.driver.scheduleList()).map(toSchedule);
  }

  /** Delete a schedule and its history; jobs it already produced stay. SCHEDULE_NOT_FOUND when there is none. */
  async remove(id: string): Promise<void> {
    if (!(await this.driver.scheduleDelete({ id }))) throw notFound(id);
  }

  /** Stop producing occurrences. Occurrences that pass while paused are not produced and not counted as missed. */
  async pause(id: string): Promise<Schedule> {
    return this.setPaused(id, true);
  }

  /** Produce occurrences again, from the first one after now. */
  async resume(id: string): Promise<Schedule> {
    const schedule = await this.setPaused(id, false);
    this.materializer.wake();
    return schedule;
  }

  /** Pause or resume as a compare-and-set, computing where a resumed schedule goes on from the row it replaces. */
  private async setPaused(id: string, paused: boolean): Promise<Schedule> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.mustGet(id);
      const now = this.config.clock.now();
      let nextAt = row.nextAt;
      if (!paused && row.paused && nextAt !== null && nextAt < now) {
        nextAt = (await this.compiled(row)).next(Math.max(now, row.lastOccurrenceAt ?? -Infinity));
        if (nextAt !== null && row.endAt !== null && nextAt > row.endAt) nextAt = null;
      }
      const nextFireAt = nextAt === null ? null : nextAt + spreadOffsetMs(row.id, row.spreadMs);
      if (await this.driver.scheduleSetPaused({ id, paused, nextAt, nextFireAt, expectedVersion: row.version, now: this.config.clock.param() })) {
        return (await this.get(id)) ?? toSchedule(row);
      }
      if (attempt >= UPSERT_TRIES) throw new KairosError('STORE_BUSY', `schedule "${id}" changed under ${UPSERT_TRIES} tries in a row; try again`, { details: { field: 'id' } });
    }
  }

  /** The next `count` occurrences of a stored schedule (from its next one) or of a definition not yet stored. */
  async preview(idOrDefinition: string | ScheduleDefinition, count = 10): Promise<PreviewEntry[]> {
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new KairosError('SCHEDULE_OPTION_INVALID', `count: must be an integer from 1 to 1000, got ${String(count)}`, { details: { field: 'count' } });
    }
    let rule: CompiledRule;
    let from: number;
    let endAt: number | null;
    let remaining = Infinity;
    let offset: number;
    const now = this.config.clock.now();
    if (typeof idOrDefinition === 'string') {
      const row = await this.mustGet(idOrDefinition);
      rule = await this.compiled(row);
      if (row.nextAt === null) return [];
      // A paused schedule resumes after now, so its preview starts there too.
      from = row.paused ? Math.max(row.nextAt - 1, now) : row.nextAt - 1;
      endAt = row.endAt;
      if (row.maxRuns !== null) remaining = row.maxRuns - row.runs;
      offset = spreadOffsetMs(row.id, row.spreadMs);
    } else {
      const n = normalizeSchedule(idOrDefinition, this.config.payloadMaxBytes);
      rule = compileRule(n.rule, (await loadCalendars(this.driver)).set);
      from = Math.max(now, (n.startAt ?? -Infinity) - 1);
      endAt = n.endAt;
      if (n.maxRuns !== null) remaining = n.maxRuns;
      offset = spreadOffsetMs(n.id, n.spreadMs);
    }
    const tz = 'cron' in rule.rule ? (rule.rule.tz ?? 'UTC') : 'UTC';
    return rule
      .nextN(from, Math.min(count, remaining))
      .filter((at) => endAt === null || at <= endAt)
      .map((at) => ({ at: new Date(at), fireAt: new Date(at + offset), local: formatLocal(at, tz), tz }));
  }

  /** What became of past occurrences, newest first: enqueued (with the job's state), missed, skipped, buffered. */
  async history(id: string, options: { limit?: number; before?: Date | number } = {}): Promise<OccurrenceRecord[]> {
    await this.mustGet(id);
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new KairosError('SCHEDULE_OPTION_INVALID', `limit: must be an integer from 1 to 1000, got ${String(limit)}`, { details: { field: 'limit' } });
    }
    const before = options.before === undefined ? undefined : new Date(options.before).getTime();
    const rows = await this.driver.occurrenceListBySchedule({ scheduleId: id, before, limit });
    return rows.map((r) => ({
      occurrenceAt: new Date(r.occurrenceAt), fireAt: new Date(r.fireAt), status: r.status, reason: r.reason, jobId: r.jobId,
      jobState: r.jobState, recordedAt: new Date(r.recordedAt),
    }));
  }

  private async compiled(row: ScheduleRow): Promise<CompiledRule> {
    return this.materializer.compile(row, await loadCalendars(this.driver));
  }

  private async mustGet(id: string): Promise<ScheduleRow> {
    const row = await this.driver.scheduleGet({ id });
    if (row === null) throw notFound(id);
    return row;
  }
}

/** Named holiday calendars, shared by every instance through the store. */
export class Calendars {
  constructor(
    private readonly driver: Driver,
    private readonly config: EngineConfig,
    private readonly materializer: ScheduleMaterializer,
  ) {}

  /** Create or replace a calendar of excluded local dates ('YYYY-MM-DD'). */
  async define(name: string, dates: Iterable<string>): Promise<{ name: string; dates: string[] }> {
    const normalized = validateCalendarDates(name, [...dates]);
    await this.driver.calendarUpsert({ name, dates: normalized, now: this.config.clock.param() });
    this.materializer.wake();
    return { name, dates: normalized };
  }

  async list(): Promise<{ name: string; dates: string[]; updatedAt: Date }[]> {
    return (await this.driver.calendarList()).map((r) => ({ name: r.name, dates: JSON.parse(r.dates) as string[], updatedAt: new Date(r.updatedAt) }));
  }

  /** Remove a calendar; refused (CALENDAR_IN_USE) while a schedule names it; CALENDAR_NOT_FOUND when there is none. */
  async remove(name: string): Promise<void> {
    const users = (await this.driver.scheduleList()).filter((s) => (JSON.parse(s.rule) as { calendar?: string }).calendar === name).map((s) => s.id);
    if (users.length > 0) {
      throw new KairosError('CALENDAR_IN_USE', `calendar "${name}" is named by schedule(s) ${users.join(', ')}; change or remove them first`, {
        details: { field: 'name', schedules: users },
      });
    }
    if (!(await this.driver.calendarDelete({ name }))) {
      throw new KairosError('CALENDAR_NOT_FOUND', `calendar "${name}" not found`, { details: { field: 'name' } });
    }
    this.materializer.wake();
  }
}
