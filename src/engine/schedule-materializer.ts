/**
 * Turns due schedule occurrences into jobs. Every instance runs one; none is a leader. Each pass is one store
 * transaction that reads due schedules, plans them (core/schedule/schedule-plan.ts) and writes jobs and occurrence records,
 * and the occurrence key makes a second instance's attempt at the same occurrence a no-op. Wakes at the earliest
 * fire time, polls at pollIntervalMs for schedules changed by other processes.
 */
import type { Logger, ResolvedConfig } from '../core/config.js';
import { isKairosError } from '../core/errors.js';
import type { NewJob } from '../core/job-options.js';
import { renderPayload, spreadOffsetMs, type ScheduleJobOptions } from '../core/schedule/schedule-definition.js';
import { planSchedule } from '../core/schedule/schedule-plan.js';
import { compileRule, type CalendarSet, type CompiledRule } from '../core/schedule/index.js';
import type { Driver, MaterializePlan, ScheduleRow } from '../driver/driver.js';
import type { KairosEmitter } from './events.js';
import { TimerLoop } from './timer-loop.js';

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
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
    /** Told about every job created, so a local worker of its queue can arm its timer. */
    private readonly onJob: (queue: string, runAt: number) => void,
  ) {
    this.loop = new TimerLoop(config.clock, () => this.tick(), (error) => this.reportError(error), config.pollIntervalMs);
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
      const now = this.config.clock.now();
      const results = await this.driver.scheduleMaterializeDue({ now, limit: BATCH, plan: (row) => this.plan(row, now, calendars) });
      for (const r of results) {
        for (const job of r.jobs) {
          this.onJob(r.queue, job.runAt);
          if (this.events.wants('schedule:occurrence')) {
            this.events.emit('schedule:occurrence', { scheduleId: r.scheduleId, occurrenceAt: job.occurrenceAt, status: 'enqueued', jobId: job.id });
          }
        }
        if (this.events.wants('schedule:occurrence')) {
          for (const o of r.recorded) this.events.emit('schedule:occurrence', { scheduleId: r.scheduleId, occurrenceAt: o.at, status: o.status, jobId: null });
        }
        created += r.jobs.length;
      }
      if (results.length < BATCH) return created;
    }
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
