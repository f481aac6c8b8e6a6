/**
 * `kairos.insights`: what an operator's overview needs, read through the seam: throughput and lateness per minute
 * over the last hour, the queues that failed, the instances alive, and the load forecast (load-forecast.ts).
 */
import { KairosError } from '../core/errors.js';
import type { Driver } from '../driver/driver.js';
import { INSTANCE_ALIVE_MS } from './instance-heartbeat.js';
import { LoadForecast, type Forecast } from './load-forecast.js';
import type { ScheduleMaterializer } from './schedule-materializer.js';
import type { EngineConfig } from './store-clock.js';

export type { Forecast, ForecastMinute, ForecastSpike } from './load-forecast.js';

const MINUTE = 60_000;

/** One minute of finished work. */
export interface ThroughputMinute {
  /** Start of the minute, epoch ms. */
  minute: number;
  completed: number;
  failed: number;
  /** Cancelled, expired and skipped. */
  other: number;
  /** Mean and max lateness (start − runAt) of the jobs that finished in this minute and had started, ms. */
  latenessAvgMs: number | null;
  latenessMaxMs: number | null;
}

export interface Throughput {
  from: number;
  to: number;
  minutes: ThroughputMinute[];
  /** Queues with failed jobs in the window, most failures first, with what finished there in all. */
  failingQueues: { queue: string; failed: number; finished: number }[];
}

/** An engine instance recorded by its heartbeat loop. */
export interface InstanceInfo {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  heartbeatAt: Date;
  /** The last heartbeat is recent (within three heartbeat intervals). */
  alive: boolean;
}

export class Insights {
  private readonly forecaster: LoadForecast;

  constructor(
    private readonly driver: Driver,
    private readonly config: EngineConfig,
    materializer: ScheduleMaterializer,
    private readonly assertOpen: () => void,
  ) {
    this.forecaster = new LoadForecast(driver, materializer);
  }

  /** Finished jobs per minute over the last `minutes` minutes (default 60, the current minute last). */
  async throughput(options: { minutes?: number } = {}): Promise<Throughput> {
    this.assertOpen();
    const count = options.minutes ?? 60;
    if (!Number.isInteger(count) || count < 1 || count > 1440) {
      throw new KairosError('JOB_OPTION_INVALID', `minutes: must be an integer from 1 to 1440, got ${String(count)}`, { details: { field: 'minutes' } });
    }
    const to = (Math.floor(this.config.clock.now() / MINUTE) + 1) * MINUTE;
    const from = to - count * MINUTE;
    const minutes: ThroughputMinute[] = Array.from({ length: count }, (_, i) => ({
      minute: from + i * MINUTE, completed: 0, failed: 0, other: 0, latenessAvgMs: null, latenessMaxMs: null,
    }));
    const lateSum = new Array<number>(count).fill(0);
    const lateCount = new Array<number>(count).fill(0);
    const queues = new Map<string, { failed: number; finished: number }>();
    for (const r of await this.driver.jobFinishedByMinute({ from, to })) {
      const i = (r.minute - from) / MINUTE;
      const m = minutes[i]!;
      if (r.state === 'completed') m.completed += r.count;
      else if (r.state === 'failed') m.failed += r.count;
      else m.other += r.count;
      if (r.latenessAvgMs !== null && r.latenessMaxMs !== null) {
        lateSum[i]! += r.latenessAvgMs * r.count;
        lateCount[i]! += r.count;
        m.latenessMaxMs = Math.max(m.latenessMaxMs ?? -Infinity, r.latenessMaxMs);
      }
      const q = queues.get(r.queue) ?? { failed: 0, finished: 0 };
      q.finished += r.count;
      if (r.state === 'failed') q.failed += r.count;
      queues.set(r.queue, q);
    }
    minutes.forEach((m, i) => {
      if (lateCount[i]! > 0) m.latenessAvgMs = Math.round(lateSum[i]! / lateCount[i]!);
    });
    const failingQueues = [...queues].filter(([, q]) => q.failed > 0).map(([queue, q]) => ({ queue, ...q }))
      .sort((a, b) => b.failed - a.failed || a.queue.localeCompare(b.queue));
    return { from, to, minutes, failingQueues };
  }

  /** The instances recorded on the store, latest heartbeat first; `alive` marks those heard from recently. */
  async instances(): Promise<InstanceInfo[]> {
    this.assertOpen();
    const now = this.config.clock.now();
    return (await this.driver.instanceList()).map((r) => ({
      id: r.id, host: r.host, pid: r.pid, queues: JSON.parse(r.queues) as string[], startedAt: new Date(r.startedAt),
      heartbeatAt: new Date(r.heartbeatAt), alive: r.heartbeatAt >= now - INSTANCE_ALIVE_MS,
    }));
  }

  /** Jobs due per minute for the next `hours` hours (default 24), from stored jobs and from schedules. */
  async forecast(options: { hours?: number } = {}): Promise<Forecast> {
    this.assertOpen();
    const hours = options.hours ?? 24;
    if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
      throw new KairosError('JOB_OPTION_INVALID', `hours: must be an integer from 1 to 168, got ${String(hours)}`, { details: { field: 'hours' } });
    }
    return this.forecaster.compute(this.config.clock.now(), hours);
  }
}
