/**
 * `kairos.limiters`: limiters as stored objects shared by every instance (docs/flow-control.md). A definition change
 * applies from the next claim on every instance, since the claim reads the limiter's row; status shows what a
 * limiter uses now.
 */
import { KairosError } from '../core/errors.js';
import { LIMITER_NAME, toLimiterSpec, type LimiterDefinition, type LimiterSpec } from '../core/limiter.js';
import type { Driver, LimiterRow } from '../driver/driver.js';
import { specOf, writeOf } from '../driver/limiter-rows.js';

/** A stored limiter as the library shows it. */
export interface LimiterInfo extends LimiterSpec {
  /** Goes up by one with every change of the definition. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One lane's use now. Lane null is the jobs that name no lane (they have no reserved slots). */
export interface LaneStatus {
  lane: string | null;
  reserved: number;
  /** Attempts running now (an expired lease no longer counts). */
  running: number;
  /** Due jobs waiting to start (jobs waiting for their partition key's turn are not counted). */
  waiting: number;
  /** How long the oldest waiting job has been due, ms (0 when none waits). */
  oldestWaitingMs: number;
}

/** What a limiter uses now. */
export interface LimiterStatus {
  id: string;
  concurrency: number | null;
  running: number;
  waiting: number;
  lanes: LaneStatus[];
  /** The rate window: starts in the last `perMs`, and when the oldest of them leaves it. Null without a rate. */
  rate: { limit: number; perMs: number; used: number; nextFreeAt: Date | null } | null;
  /** The store's time the status was read at. */
  at: Date;
}

function toInfo(row: LimiterRow): LimiterInfo {
  return { ...specOf(row), version: row.version, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) };
}

function assertId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !LIMITER_NAME.test(id)) {
    throw new KairosError('LIMITER_OPTION_INVALID', `id: must be 1–128 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(id) ?? String(id)}`, { details: { field: 'id' } });
  }
}

export class Limiters {
  constructor(
    private readonly driver: Driver,
    private readonly assertOpen: () => void,
    /** The store's clock now, ms. */
    private readonly now: () => number,
    /** Called after a change made here, so this instance's workers held back by a limiter claim again at once. */
    private readonly onChange: (limiter: string) => void,
  ) {}

  /**
   * Create or replace a limiter: `{ id, concurrency, lanes: { signup: { reserved: 1 } }, lend, rate: { limit, perMs } }`.
   * A field left out takes its default (no bound, no lanes, no lending, no rate): the definition is replaced whole.
   * LIMITER_OPTION_INVALID names the field at fault; nothing is stored then.
   */
  async upsert(definition: LimiterDefinition): Promise<LimiterInfo> {
    this.assertOpen();
    const spec = toLimiterSpec(definition);
    const { row } = await this.driver.limiterUpsert({ limiter: writeOf(spec) });
    this.onChange(spec.id);
    return toInfo(row);
  }

  /** One limiter; null when there is none of that id. */
  async get(id: string): Promise<LimiterInfo | null> {
    this.assertOpen();
    assertId(id);
    const row = await this.driver.limiterGet({ id });
    return row === null ? null : toInfo(row);
  }

  /** Every limiter, by id. */
  async list(): Promise<LimiterInfo[]> {
    this.assertOpen();
    return (await this.driver.limiterList()).map(toInfo);
  }

  /**
   * Remove a limiter. Jobs that name it wait (they are never run unlimited) until a limiter of that id exists again.
   * LIMITER_NOT_FOUND when there is none.
   */
  async remove(id: string): Promise<void> {
    this.assertOpen();
    assertId(id);
    if (!(await this.driver.limiterDelete({ id }))) throw new KairosError('LIMITER_NOT_FOUND', `limiter "${id}" not found`, { details: { field: 'id' } });
    this.onChange(id);
  }

  /** What a limiter uses now, per lane; LIMITER_NOT_FOUND when there is none. */
  async status(id: string): Promise<LimiterStatus> {
    this.assertOpen();
    assertId(id);
    const [row, usage] = await Promise.all([this.driver.limiterGet({ id }), this.driver.limiterStatus({ id })]);
    if (row === null || usage === null) throw new KairosError('LIMITER_NOT_FOUND', `limiter "${id}" not found`, { details: { field: 'id' } });
    const spec = specOf(row);
    const now = this.now();
    const lanes = new Map<string | null, LaneStatus>();
    const lane = (name: string | null): LaneStatus => {
      let l = lanes.get(name);
      if (l === undefined) lanes.set(name, (l = { lane: name, reserved: name === null ? 0 : spec.lanes[name]?.reserved ?? 0, running: 0, waiting: 0, oldestWaitingMs: 0 }));
      return l;
    };
    for (const name of Object.keys(spec.lanes)) lane(name);
    for (const r of usage.running) lane(r.lane).running = r.count;
    for (const w of usage.waiting) Object.assign(lane(w.lane), { waiting: w.count, oldestWaitingMs: Math.max(0, now - w.oldestRunAt) });
    const all = [...lanes.values()].sort((a, b) => (a.lane ?? '').localeCompare(b.lane ?? ''));
    return {
      id, concurrency: spec.concurrency, running: all.reduce((n, l) => n + l.running, 0), waiting: all.reduce((n, l) => n + l.waiting, 0), lanes: all,
      rate: spec.rate === null ? null : { ...spec.rate, used: usage.rateUsed, nextFreeAt: usage.rateNextFreeAt === null ? null : new Date(usage.rateNextFreeAt) },
      at: new Date(now),
    };
  }

  /** The status of every limiter. */
  async statusAll(): Promise<LimiterStatus[]> {
    const out: LimiterStatus[] = [];
    for (const l of await this.list()) out.push(await this.status(l.id));
    return out;
  }
}
