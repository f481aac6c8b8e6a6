/**
 * `kairos.queues`: queues as stored objects. A queue works without a row (any job may name any queue); a row holds
 * what is set on it for every instance — the pause flag every claim obeys, and settings other parts read (capacity,
 * limiter and lane, service-mode target and fallback, defaults for its jobs). Pause and resume act on every instance
 * at once, because the claim itself reads the flag.
 */
import { describeValue, KairosError } from '../core/errors.js';
import { assertQueueName } from '../core/job-options.js';
import { JOB_STATES, type JobState } from '../core/job-state.js';
import type { Driver, JobFilter, QueueRow, QueueWrite } from '../driver/driver.js';

/** The settings of a queue. In an update, a field left out keeps its value and null clears it. */
export interface QueueSettings {
  /** Most jobs the queue may hold pending or running (1 to 10,000,000); null for no bound. */
  capacity?: number | null;
  /** Jobs of the queue one instance runs at once when service mode delivers them (1 to 10,000). */
  concurrency?: number | null;
  /** The limiter every job of the queue passes through, and its lane there. */
  limiter?: string | null;
  lane?: string | null;
  /** Where service mode delivers the queue's jobs (a JSON object; the service validates it). */
  target?: Record<string, unknown> | null;
  /** The queue that gets one job when a job of this one fails finally. */
  fallback?: string | null;
  /** Defaults for the queue's jobs (a JSON object). */
  jobOptions?: Record<string, unknown> | null;
}

/** A queue as the library shows it: stored settings (defaults when it has no row) and its jobs by state. */
export interface QueueInfo {
  name: string;
  /** True when the queue has a stored row. */
  stored: boolean;
  paused: boolean;
  capacity: number | null;
  concurrency: number | null;
  limiter: string | null;
  lane: string | null;
  target: Record<string, unknown> | null;
  fallback: string | null;
  jobOptions: Record<string, unknown> | null;
  /** The row's version (0 without a row); pass it as `expectedVersion` to update only what you read. */
  version: number;
  createdAt: Date | null;
  updatedAt: Date | null;
  /** Jobs of the queue in each state. */
  counts: Record<JobState, number>;
}

const SETTING_KEYS = ['capacity', 'concurrency', 'limiter', 'lane', 'target', 'fallback', 'jobOptions'] as const;
const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

function optionError(field: string, what: string, value: unknown): KairosError {
  return new KairosError('QUEUE_OPTION_INVALID', `${field}: ${what}, got ${describeValue(value)}`, { details: { field } });
}

function intOrNull(field: string, value: unknown, max: number): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) throw optionError(field, `must be an integer from 1 to ${max} or null`, value);
  return value as number;
}

function nameOrNull(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !NAME.test(value)) throw optionError(field, 'must be 1–128 characters of A-Z a-z 0-9 _ . : - or null', value);
  return value;
}

function objectOrNull(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw optionError(field, 'must be a JSON object or null', value);
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw optionError(field, `cannot be stored as JSON (${(cause as Error).message})`, value);
  }
}

/** The write for `name`: `settings` over `current` (null: a new queue). Throws QUEUE_OPTION_INVALID naming the field. */
export function toQueueWrite(name: string, settings: QueueSettings, current: QueueRow | null): QueueWrite {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw optionError('settings', 'must be an object', settings);
  for (const k of Object.keys(settings)) {
    if (!(SETTING_KEYS as readonly string[]).includes(k)) throw optionError(k, `unknown queue setting (known: ${SETTING_KEYS.join(', ')})`, (settings as Record<string, unknown>)[k]);
  }
  const pick = <K extends (typeof SETTING_KEYS)[number]>(k: K): QueueSettings[K] | null =>
    settings[k] !== undefined ? settings[k]! : null;
  const w: QueueWrite = {
    name,
    capacity: current?.capacity ?? null, concurrency: current?.concurrency ?? null, limiter: current?.limiter ?? null, lane: current?.lane ?? null,
    target: current?.target ?? null, fallback: current?.fallback ?? null, jobOptions: current?.jobOptions ?? null,
  };
  if (settings.capacity !== undefined) w.capacity = intOrNull('capacity', pick('capacity'), 10_000_000);
  if (settings.concurrency !== undefined) w.concurrency = intOrNull('concurrency', pick('concurrency'), 10_000);
  if (settings.limiter !== undefined) w.limiter = nameOrNull('limiter', pick('limiter'));
  if (settings.lane !== undefined) w.lane = nameOrNull('lane', pick('lane'));
  if (settings.target !== undefined) w.target = objectOrNull('target', pick('target'));
  if (settings.fallback !== undefined) w.fallback = nameOrNull('fallback', pick('fallback'));
  if (settings.jobOptions !== undefined) w.jobOptions = objectOrNull('jobOptions', pick('jobOptions'));
  if (w.fallback === name) throw optionError('fallback', 'must name another queue', w.fallback);
  if (w.lane !== null && w.limiter === null) throw optionError('lane', 'needs a limiter', w.lane);
  return w;
}

function emptyCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

function toInfo(name: string, row: QueueRow | null, counts: Record<JobState, number>): QueueInfo {
  return {
    name, stored: row !== null, paused: row?.paused ?? false, capacity: row?.capacity ?? null, concurrency: row?.concurrency ?? null,
    limiter: row?.limiter ?? null, lane: row?.lane ?? null, target: row?.target ? (JSON.parse(row.target) as Record<string, unknown>) : null,
    fallback: row?.fallback ?? null, jobOptions: row?.jobOptions ? (JSON.parse(row.jobOptions) as Record<string, unknown>) : null,
    version: row?.version ?? 0, createdAt: row ? new Date(row.createdAt) : null, updatedAt: row ? new Date(row.updatedAt) : null, counts,
  };
}

export class Queues {
  constructor(
    private readonly driver: Driver,
    /** Throws CLOSED once the instance is closed. */
    private readonly assertOpen: () => void,
    /** Called after a change made here, so this instance's worker of the queue acts on it at once. */
    private readonly onChange: (queue: string) => void,
    /** Cancels every job matching a filter (the bulk action), returning how many. */
    private readonly cancelFilter: (filter: JobFilter) => Promise<number>,
  ) {}

  /**
   * Drain a queue: cancel every job of it that waits to run (scheduled, held ones included), in batches; running jobs
   * go on. Returns how many were cancelled. Pause the queue first to stop new work from starting meanwhile.
   */
  async drain(name: string): Promise<number> {
    this.assertOpen();
    assertQueueName(name);
    return this.cancelFilter({ queue: name, states: ['scheduled'] });
  }

  /** Every queue that has stored settings or jobs, by name, with its jobs by state. */
  async list(): Promise<QueueInfo[]> {
    this.assertOpen();
    const [rows, counts] = await Promise.all([this.driver.queueList(), this.driver.jobCounts()]);
    const byName = new Map<string, { row: QueueRow | null; counts: Record<JobState, number> }>();
    for (const row of rows) byName.set(row.name, { row, counts: emptyCounts() });
    for (const c of counts) {
      let entry = byName.get(c.queue);
      if (entry === undefined) byName.set(c.queue, (entry = { row: null, counts: emptyCounts() }));
      entry.counts[c.state] = c.count;
    }
    return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, e]) => toInfo(name, e.row, e.counts));
  }

  /** One queue; null when it has neither stored settings nor jobs. */
  async get(name: string): Promise<QueueInfo | null> {
    this.assertOpen();
    assertQueueName(name);
    const [row, counts] = await Promise.all([this.driver.queueGet({ name }), this.driver.jobCounts({ queue: name })]);
    if (row === null && counts.length === 0) return null;
    const byState = emptyCounts();
    for (const c of counts) byState[c.state] = c.count;
    return toInfo(name, row, byState);
  }

  /**
   * Create a queue's settings or change some of them (a field left out keeps its value; null clears it). With
   * `expectedVersion`, only if the row is still at that version (0: only if it has none) — QUEUE_CONFLICT otherwise.
   */
  async upsert(name: string, settings: QueueSettings, options: { expectedVersion?: number } = {}): Promise<QueueInfo> {
    this.assertOpen();
    assertQueueName(name);
    const expected = options.expectedVersion;
    if (expected !== undefined && (!Number.isInteger(expected) || expected < 0)) throw optionError('expectedVersion', 'must be an integer ≥ 0', expected);
    for (let tries = 0; ; tries++) {
      const current = await this.driver.queueGet({ name });
      if (expected !== undefined && (current?.version ?? 0) !== expected) {
        throw new KairosError('QUEUE_CONFLICT', `queue "${name}" is at version ${current?.version ?? 0}, not ${expected}`, { details: { field: 'expectedVersion' } });
      }
      const write = toQueueWrite(name, settings, current);
      const done = await this.driver.queueUpsert({ queue: write, expectedVersion: current === null ? null : current.version });
      if (done !== null) {
        this.onChange(name);
        return (await this.get(name))!;
      }
      // Someone else wrote between our read and write: with an expected version that is a conflict, else read again.
      if (expected !== undefined || tries >= 5) throw new KairosError('QUEUE_CONFLICT', `queue "${name}" changed while it was being updated; try again`, { details: { field: 'name' } });
    }
  }

  /** Stop every instance from starting jobs of `name` (running ones go on). Works on a queue without settings too. */
  async pause(name: string): Promise<QueueInfo> {
    return this.setPaused(name, true);
  }

  /** Let every instance start jobs of `name` again. */
  async resume(name: string): Promise<QueueInfo> {
    return this.setPaused(name, false);
  }

  /** Remove a queue's stored settings (its jobs stay; it is no longer paused). QUEUE_NOT_FOUND when it has none. */
  async remove(name: string): Promise<void> {
    this.assertOpen();
    assertQueueName(name);
    if (!(await this.driver.queueDelete({ name }))) throw new KairosError('QUEUE_NOT_FOUND', `queue "${name}" has no stored settings`, { details: { field: 'name' } });
    this.onChange(name);
  }

  private async setPaused(name: string, paused: boolean): Promise<QueueInfo> {
    this.assertOpen();
    assertQueueName(name);
    await this.driver.queueSetPaused({ name, paused });
    this.onChange(name);
    return (await this.get(name))!;
  }
}
