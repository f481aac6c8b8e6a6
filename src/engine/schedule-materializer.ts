/**
 * Turns due schedule occurrences into jobs. Every instance runs one; none is a leader. A pass reads due schedules,
 * plans them here with no transaction or lock held (compiling rules is the slow part), then writes every plan in one
 * store transaction fenced by each schedule's version; the occurrence key makes a second instance's attempt at the
 * same occurrence a no-op. Wakes at the earliest fire time, polls at pollIntervalMs as a fallback.
 */
import type { Logger } from '../core/config.js';
import { isKairosError } from '../core/errors.js';
import type { NewJob } from '../core/job-options.js';
import { renderPayload, spreadOffsetMs, type ScheduleJobOptions } from '../core/schedule/schedule-definition.js';
import { planSchedule } from '../core/schedule/schedule-plan.js';
import { compileRule, type CalendarSet, type CompiledRule } from '../core/schedule/index.js';
import type { Driver, MaterializePlan, SchedulePlanWrite, ScheduleRow } from '../driver/driver.js';
import type { KairosEmitter } from './events.js';
import { TimerLoop } from './timer-loop.js';
import type { EngineConfig } from './store-clock.js';

const BATCH = 500;
const COMPILED_CACHE_SIZE = 20_000;
/** A schedule whose rule cannot be computed (e.g. its calendar was deleted) is retried this much later. */
const RETRY_BROKEN_MS = 60_000;

/** Holiday calendars loaded from the store, with a version that changes when any calendar does. */
export interface LoadedCalendars {
  set: CalendarSet;
  version: string;
}

export async function loadCalendars(driver: Driver): Promise<LoadedCalendars> {
  const rows = await driver.calendarList();
  const map = new Map(rows.map((r) => [r.name, new Set(JSON.parse(r.dates) as string[])]));
  return { set: { get: (name) => map.get(name) }, version: rows.map((r) => `${r.name}@${r.updatedAt}`).join(',') };
}

export class ScheduleMaterializer {
  private readonly loop: TimerLoop;
  /** Compiled rules by rule text and calendar version: schedules with the same rule share one. */
  private readonly compiled = new Map<string, CompiledRule>();

  constructor(
    private readonly driver: Driver,
    private readonly events: KairosEmitter,
    private readonly config: EngineConfig,
    private readonly logger: Logger,
    /** Told about every job created, so a local worker of its queue can arm its timer. */
    private readonly onJob: (queue: string, runAt: number) => void,
  ) {
    this.loop = new TimerLoop(config.clock, () => this.tick(), (error) => this.reportError(error), config.pollIntervalMs, config.activity);
  }

  start(): void {
    this.loop.start(0);
  }

  stop(): void {
    this.loop.stop();
  }

  /** Run a pass soon (a schedule changed, or a job of a buffering schedule ended). */
  wake(): void {
    this.loop.wake();
  }

  /** One full pass: every due occurrence now. Returns how many jobs were created. */
  async runOnce(): Promise<number> {
    const calendars = await loadCalendars(this.driver);
    let created = 0;
    for (;;) {
      const rows = await this.driver.scheduleListDue({ now: this.config.clock.param(), limit: BATCH });
      if (rows.length === 0) return created;
      const now = this.config.clock.now();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const plans: SchedulePlanWrite[] = [];
      for (const row of rows) {
        const plan = this.plan(row, now, calendars);
        if (plan !== null) plans.push({ scheduleId: row.id, version: row.version, plan });
      }
      if (plans.length === 0) return created;
      const results = await this.driver.scheduleApplyPlans({ plans, now: this.config.clock.param() });
      let stale = 0;
      for (const r of results) {
        if (!r.applied) stale++;
        const queue = byId.get(r.scheduleId)!.queue;
        for (const job of r.jobs) {
          this.onJob(queue, job.runAt);
          this.emitOccurrence(r.scheduleId, job.occurrenceAt, 'enqueued', job.id);
        }
        for (const o of r.recorded) this.emitOccurrence(r.scheduleId, o.at, o.status, null);
        created += r.jobs.length;
      }
      // A full batch means more may be due; a stale plan (another instance or an upsert moved the row) is read again.
      if (rows.length < BATCH && stale === 0) return created;
    }
  }

  private emitOccurrence(scheduleId: string, at: number, status: 'enqueued' | 'missed' | 'skipped' | 'buffered', jobId: number | null): void {
    if (this.events.wants('schedule:occurrence')) this.events.emit('schedule:occurrence', { scheduleId, occurrenceAt: new Date(at), status, jobId });
  }

  /** The compiled rule of a schedule, cached by rule text until the calendars change. */
  compile(row: Pick<ScheduleRow, 'rule'>, calendars: LoadedCalendars): CompiledRule {
    const key = `${calendars.version}|${row.rule}`;
    let rule = this.compiled.get(key);
    if (rule === undefined) {
      rule = compileRule(JSON.parse(row.rule), calendars.set);
      // Bounded: dropping the oldest entry costs one recompile, while a store of distinct rules cannot grow memory.
      if (this.compiled.size >= COMPILED_CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, rule);
    }
    return rule;
  }

  private plan(row: ScheduleRow, now: number, calendars: LoadedCalendars): MaterializePlan | null {
    const offset = spreadOffsetMs(row.id, row.spreadMs);
    try {
      const rule = this.compile(row, calendars);
      const p = planSchedule({ ...row, spreadOffsetMs: offset }, rule, now);
      if (p.occurrences.length === 0 && p.released === null && p.nextAt === row.nextAt && p.bufferedAt === row.bufferedAt) return null;
      const options = row.jobOptions === null ? {} : (JSON.parse(row.jobOptions) as ScheduleJobOptions);
      const job = (at: number, runAt: number): NewJob => ({
        queue: row.queue,
        payload: renderPayload(row.payload, row.id, at, runAt),
        runAt,
        key: null,
        dedupe: 'keep',
        priority: options.priority ?? 0,
        maxAttempts: options.maxAttempts ?? this.config.defaultMaxAttempts,
        backoff: options.backoff === undefined ? null : JSON.stringify(options.backoff),
        timeoutMs: options.timeoutMs ?? null,
        deadline: row.deadlineMs === null ? null : runAt + row.deadlineMs,
        tags: options.tags === undefined ? null : JSON.stringify(options.tags),
        scheduleId: row.id,
        occurrenceAt: at,
      });
      return {
        occurrences: p.occurrences.map((o) => ({ ...o, job: o.status === 'enqueued' ? job(o.at, o.fireAt) : null })),
        released: p.released === null ? null : { at: p.released.at, fireAt: p.released.fireAt, job: job(p.released.at, p.released.fireAt) },
        nextAt: p.nextAt,
        nextFireAt: p.nextAt === null ? null : p.nextAt + offset,
        bufferedAt: p.bufferedAt,
      };
    } catch (error) {
      this.logger.error({ err: error, scheduleId: row.id }, 'cannot compute the schedule; retrying later');
      this.events.emit('error', { error: error as Error, where: `schedule ${row.id}` });
      return { occurrences: [], released: null, nextAt: row.nextAt, nextFireAt: now + RETRY_BROKEN_MS, bufferedAt: row.bufferedAt };
    }
  }

  /** A pass, then sleep until the earliest fire time, or pollIntervalMs at most (other processes change schedules). */
  private async tick(): Promise<number> {
    const { clock, pollIntervalMs } = this.config;
    try {
      await this.runOnce();
    } catch (error) {
      this.reportError(error as Error);
    }
    const next = await this.driver.scheduleNextFire();
    const now = clock.now();
    return next.nextFireAt === null ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, next.nextFireAt - now));
  }

  private reportError(error: Error): void {
    this.events.emit('error', { error, where: 'schedule materializer' });
    if (isKairosError(error, 'STORE_BUSY')) this.logger.debug({ err: error }, 'store busy; schedules retried at the next poll');
    else this.logger.error({ err: error }, 'materializing schedules failed');
  }
}
