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
    const jobs = new Array<number>(size).fill(0);
    const occurrences = new Array<number>(size).fill(0);
    /** Per minute index, per queue: only filled for minutes that may turn out to be spikes (read back below). */
    const byMinuteQueue = new Map<number, Map<string, number>>();
    const queueTotals = new Map<string, number>();
    const add = (index: number, queue: string, count: number) => {
      let m = byMinuteQueue.get(index);
      if (m === undefined) byMinuteQueue.set(index, (m = new Map()));
      m.set(queue, (m.get(queue) ?? 0) + count);
      queueTotals.set(queue, (queueTotals.get(queue) ?? 0) + count);
    };
    for (const row of await this.driver.jobDueByMinute({ from, to })) {
      const i = (row.minute - from) / MINUTE;
      jobs[i]! += row.count;
      add(i, row.queue, row.count);
    }
    const schedules = (await this.driver.scheduleList()).filter((s) => !s.paused && s.nextAt !== null);
    const calendars = await loadCalendars(this.driver);
    const truncated: string[] = [];
    for (const s of schedules) {
      const fires = this.occurrencesOf(s, calendars, from, to);
      if (fires.truncated) truncated.push(s.id);
      for (const fireAt of fires.at) {
        const i = Math.floor((Math.max(fireAt, from) - from) / MINUTE);
        occurrences[i]! += 1;
        add(i, s.queue, 1);
      }
    }
    const minutes = jobs.map((j, i) => ({ minute: from + i * MINUTE, jobs: j, occurrences: occurrences[i]! }));
    const total = minutes.reduce((sum, m) => sum + m.jobs + m.occurrences, 0);
    const spikeThreshold = Math.max(SPIKE_MIN_JOBS, Math.ceil((SPIKE_FACTOR * total) / size));
    const spikes = minutes
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.jobs + m.occurrences >= spikeThreshold)
      .map(({ m, i }) => ({ minute: m.minute, count: m.jobs + m.occurrences, queues: sortedCounts(byMinuteQueue.get(i)) }));
    return { from, to, minutes, spikes, spikeThreshold, queues: sortedCounts(queueTotals), schedules: schedules.length, truncated };
  }

  /** Fire times of one schedule in [from, to), from its next unhandled occurrence on (an overdue one counts at `from`). */
  private occurrencesOf(s: ScheduleRow, calendars: Awaited<ReturnType<typeof loadCalendars>>, from: number, to: number): { at: number[]; truncated: boolean } {
    const rule = this.materializer.compile(s, calendars);
    const offset = spreadOffsetMs(s.id, s.spreadMs);
    const left = s.maxRuns === null ? Infinity : s.maxRuns - s.runs;
    const out: number[] = [];
    let at: number | null = s.nextAt;
    while (at !== null && at + offset < to && (s.endAt === null || at <= s.endAt) && out.length < left) {
      if (out.length === FORECAST_MAX_PER_SCHEDULE) return { at: out, truncated: true };
      out.push(at + offset);
      at = rule.next(at);
    }
    return { at: out, truncated: false };
  }
}

function sortedCounts(m: Map<string, number> | undefined): { queue: string; count: number }[] {
  if (m === undefined) return [];
  return [...m].map(([queue, count]) => ({ queue, count })).sort((a, b) => b.count - a.count || a.queue.localeCompare(b.queue));
}
