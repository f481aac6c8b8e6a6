/**
 * The load forecast: how many jobs fall due in each minute of the coming hours, from the jobs already scheduled (one
 * index read in the store) and from the future occurrences of every live schedule (computed here from their rules).
 * Minutes far above the mean are reported as spikes, so an operator can spread them before they hit.
 */
import { spreadOffsetMs } from '../core/schedule/schedule-definition.js';
import type { Driver, ScheduleRow } from '../driver/driver.js';
import { loadCalendars, type ScheduleMaterializer } from './schedule-materializer.js';

const MINUTE = 60_000;
/** Occurrences counted per schedule; a rule that fires more often within the window is reported as truncated. */
export const FORECAST_MAX_PER_SCHEDULE = 1_440;
/** A minute is a spike when it holds at least this many jobs and SPIKE_FACTOR times the mean minute. */
export const SPIKE_MIN_JOBS = 100;
export const SPIKE_FACTOR = 5;

/** One minute of the forecast. */
export interface ForecastMinute {
  /** Start of the minute, epoch ms. */
  minute: number;
  /** Jobs already stored and due in this minute. */
  jobs: number;
  /** Jobs the schedules will create for this minute. */
  occurrences: number;
}

/** A minute of the forecast far above the others, with the queues that fill it (largest first). */
export interface ForecastSpike {
  minute: number;
  count: number;
  queues: { queue: string; count: number }[];
}

export interface Forecast {
  /** The window [from, to), epoch ms; `from` is the start of the current minute. */
  from: number;
  to: number;
  /** Every minute of the window, in order. */
  minutes: ForecastMinute[];
  spikes: ForecastSpike[];
  /** The spike threshold used: max(SPIKE_MIN_JOBS, SPIKE_FACTOR × the mean minute). */
  spikeThreshold: number;
  /** Jobs due in the window per queue, stored and from schedules. */
  queues: { queue: string; count: number }[];
  /** Live schedules counted, and the ids of those that fire more than FORECAST_MAX_PER_SCHEDULE times in the window. */
  schedules: number;
  truncated: string[];
}

/** Builds forecasts; `now` is the engine's estimate of the store's time. */
export class LoadForecast {
  constructor(
    private readonly driver: Driver,
    private readonly materializer: ScheduleMaterializer,
  ) {}

  async compute(now: number, hours: number): Promise<Forecast> {
    const from = Math.floor(now / MINUTE) * MINUTE;
    const to = from + hours * 60 * MINUTE;
    const size = (to - from) / MINUTE;
    const jobs = new Float64Array(size);
    const occurrences = new Float64Array(size);
    /** Jobs due per minute, per queue: the breakdown of spikes and the per-queue totals. */
    const perQueue = new Map<string, Float64Array>();
    const queueArray = (queue: string) => {
      let arr = perQueue.get(queue);
      if (arr === undefined) perQueue.set(queue, (arr = new Float64Array(size)));
      return arr;
    };
    for (const row of await this.driver.jobDueByMinute({ from, to })) {
      const i = (row.minute - from) / MINUTE;
      const arr = queueArray(row.queue);
      jobs[i] = jobs[i]! + row.count;
      arr[i] = arr[i]! + row.count;
    }
    const schedules = (await this.driver.scheduleList()).filter((s) => !s.paused && s.nextAt !== null);
    const calendars = await loadCalendars(this.driver);
    const truncated: string[] = [];
    // Schedules that share a rule and a next occurrence share their occurrences: computed once per pass.
    const shared = new Map<string, { at: number[]; truncated: boolean }>();
    for (const s of schedules) {
      const key = `${s.nextAt}|${s.rule}`;
      let fires = shared.get(key);
      if (fires === undefined) shared.set(key, (fires = this.occurrencesOf(s, calendars, to)));
      if (fires.truncated) truncated.push(s.id);
      const offset = spreadOffsetMs(s.id, s.spreadMs);
      const left = s.maxRuns === null ? Infinity : s.maxRuns - s.runs;
      const byQueue = queueArray(s.queue);
      for (let k = 0; k < fires.at.length && k < left; k++) {
        const at = fires.at[k]!;
        if (s.endAt !== null && at > s.endAt) break;
        const fireAt = at + offset;
        if (fireAt >= to) break;
        const i = Math.floor((Math.max(fireAt, from) - from) / MINUTE);
        occurrences[i] = occurrences[i]! + 1;
        byQueue[i] = byQueue[i]! + 1;
      }
    }
    const minutes = Array.from(jobs, (j, i) => ({ minute: from + i * MINUTE, jobs: j, occurrences: occurrences[i]! }));
    const total = minutes.reduce((sum, m) => sum + m.jobs + m.occurrences, 0);
    const spikeThreshold = Math.max(SPIKE_MIN_JOBS, Math.ceil((SPIKE_FACTOR * total) / size));
    const spikes: ForecastSpike[] = [];
    minutes.forEach((m, i) => {
      if (m.jobs + m.occurrences < spikeThreshold) return;
      const queues = [...perQueue].filter(([, arr]) => arr[i]! > 0).map(([queue, arr]) => ({ queue, count: arr[i]! }));
      spikes.push({ minute: m.minute, count: m.jobs + m.occurrences, queues: sortedCounts(queues) });
    });
    const queues = [...perQueue].map(([queue, arr]) => ({ queue, count: arr.reduce((x, y) => x + y, 0) })).filter((q) => q.count > 0);
    return { from, to, minutes, spikes, spikeThreshold, queues: sortedCounts(queues), schedules: schedules.length, truncated };
  }

  /**
   * Nominal occurrences of a schedule's rule from its next unhandled one (an overdue one is counted at the window's
   * start) while the spread-free instant is before `to` plus the widest spread; end date, run limit and spread are
   * applied per schedule by the caller.
   */
  private occurrencesOf(s: ScheduleRow, calendars: Awaited<ReturnType<typeof loadCalendars>>, to: number): { at: number[]; truncated: boolean } {
    const rule = this.materializer.compile(s, calendars);
    const out: number[] = [];
    let at: number | null = s.nextAt;
    while (at !== null && at < to) {
      if (out.length === FORECAST_MAX_PER_SCHEDULE) return { at: out, truncated: true };
      out.push(at);
      at = rule.next(at);
    }
    return { at: out, truncated: false };
  }
}

function sortedCounts(counts: { queue: string; count: number }[]): { queue: string; count: number }[] {
  return counts.sort((a, b) => b.count - a.count || a.queue.localeCompare(b.queue));
}
