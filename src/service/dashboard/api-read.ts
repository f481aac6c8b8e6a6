/**
 * The dashboard's read endpoints (scope jobs:read): overview, forecast, queues, jobs, schedules, limiters and keys.
 * Answers are plain JSON (dates as ISO strings, chart series as epoch ms) and carry ETags (plugin.ts).
 */
import type { FastifyInstance } from 'fastify';
import { JOB_STATES, type JobState } from '../../core/job-state.js';
import { ruleInWords } from '../../core/schedule/index.js';
import type { Kairos } from '../../engine/kairos.js';
import type { QueueInfo } from '../../engine/queues.js';
import { allowed, badRequest } from './scopes.js';
import type { DashboardOptions } from './types.js';

/** How long queues with their jobs-by-state counts are reused, ms: the counts scan the jobs table; polls do not repeat it. */
const COUNTS_TTL_MS = 5_000;
/** How long a forecast is reused, ms: it reads every pending job in the window and every schedule. */
const FORECAST_TTL_MS = 10_000;

/** A value computed at most once per `ttlMs` per key; a failed computation is not kept; `clear()` forgets all. */
function cached<K, V>(ttlMs: number, compute: (key: K) => Promise<V>): ((key: K) => Promise<V>) & { clear(): void } {
  const entries = new Map<K, { at: number; value: Promise<V> }>();
  const read = (key: K) => {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit !== undefined && now - hit.at < ttlMs) return hit.value;
    const value = compute(key);
    value.catch(() => entries.delete(key));
    entries.set(key, { at: now, value });
    return value;
  };
  return Object.assign(read, { clear: () => entries.clear() });
}

type Totals = Record<JobState, number>;

/**
 * Starts per minute that the limiters' rate limits let through, summed over the limiters that have a rate (the
 * forecast draws it against the due load); null when none has one (concurrency alone gives no rate to draw).
 */
export function ratePerMinute(limiters: readonly { rate: { limit: number; perMs: number } | null }[]): number | null {
  let total: number | null = null;
  for (const l of limiters) if (l.rate !== null) total = (total ?? 0) + (l.rate.limit * 60_000) / l.rate.perMs;
  return total === null ? null : Math.round(total * 100) / 100;
}

/**
 * Queues with their settings and counts, and the totals by state: one kairos.queues.list() (whose counts scan the
 * jobs table) shared by the overview and queues pages and reused for COUNTS_TTL_MS.
 */
function queuesReader(kairos: Kairos): (() => Promise<{ totals: Totals; queues: QueueInfo[] }>) & { clear(): void } {
  const read = cached(COUNTS_TTL_MS, async (_key: 'all') => {
    const queues = await kairos.queues.list();
    const totals = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Totals;
    for (const q of queues) for (const state of JOB_STATES) totals[state] += q.counts[state];
    return { totals, queues };
  });
  return Object.assign(() => read('all'), { clear: () => read.clear() });
}

/** An integer query parameter, undefined when absent, NaN when malformed. */
function intParam(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return /^\d{1,16}$/.test(value) ? Number(value) : NaN;
}

/** Registers the read routes; returns a function that drops cached answers (after a change made through the dashboard). */
export function registerReadRoutes(app: FastifyInstance, prefix: string, options: DashboardOptions): () => void {
  const { kairos } = options;
  const queues = queuesReader(kairos);
  const forecast = cached(FORECAST_TTL_MS, async (hours: number | undefined) => {
    const [load, limiters] = await Promise.all([kairos.insights.forecast({ hours }), kairos.limiters.list()]);
    return { ...load, capacityPerMinute: ratePerMinute(limiters) };
  });
  const api = `${prefix}/api`;

  app.get(`${api}/overview`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const [q, throughput, instances] = await Promise.all([queues(), kairos.insights.throughput(), kairos.insights.instances()]);
    return { counts: q.totals, throughput, instances };
  });

  app.get<{ Querystring: { hours?: string } }>(`${api}/forecast`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const hours = intParam(request.query.hours);
    if (Number.isNaN(hours)) return badRequest(reply, 'hours', 'must be an integer');
    return forecast(hours);
  });

  app.get(`${api}/queues`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    return (await queues()).queues.map((q) => ({
      name: q.name, stored: q.stored, paused: q.paused, capacity: q.capacity, concurrency: q.concurrency, limiter: q.limiter, lane: q.lane,
      target: q.target, fallback: q.fallback, counts: q.counts,
    }));
  });

  app.get<{ Querystring: { queue?: string; state?: string; cursor?: string; limit?: string } }>(`${api}/jobs`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const { queue, state } = request.query;
    if (state !== undefined && state !== '' && !(JOB_STATES as readonly string[]).includes(state)) return badRequest(reply, 'state', `must be one of ${JOB_STATES.join(', ')}`);
    const cursor = intParam(request.query.cursor);
    const limit = intParam(request.query.limit) ?? 50;
    if (Number.isNaN(cursor)) return badRequest(reply, 'cursor', 'must be a job id');
    if (Number.isNaN(limit) || limit < 1 || limit > 200) return badRequest(reply, 'limit', 'must be an integer from 1 to 200');
    return kairos.jobs.list({
      queue: queue === undefined || queue === '' ? undefined : queue, state: state === undefined || state === '' ? undefined : (state as JobState), cursor, limit,
    });
  });

  app.get<{ Params: { id: string } }>(`${api}/jobs/:id`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const id = intParam(request.params.id);
    if (id === undefined || Number.isNaN(id)) return badRequest(reply, 'id', 'must be a job id');
    const job = await kairos.jobs.get(id);
    if (job === null) return reply.code(404).send({ error: { code: 'JOB_NOT_FOUND', message: `job ${id} not found` } });
    return job;
  });

  /** The table of schedules: the fields it shows, `limit` at a time from `offset` (the store returns them by id). */
  app.get<{ Querystring: { offset?: string; limit?: string } }>(`${api}/schedules`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const offset = intParam(request.query.offset) ?? 0;
    const limit = intParam(request.query.limit) ?? 200;
    if (Number.isNaN(offset)) return badRequest(reply, 'offset', 'must be an integer');
    if (Number.isNaN(limit) || limit < 1 || limit > 1000) return badRequest(reply, 'limit', 'must be an integer from 1 to 1000');
    const all = await kairos.schedules.list();
    const schedules = all.slice(offset, offset + limit).map((s) => ({
      id: s.id, queue: s.queue, words: ruleInWords(s.rule), paused: s.paused, nextFireAt: s.nextFireAt, runs: s.runs, lastJobId: s.lastJobId,
      lastJobState: s.lastJobState,
    }));
    return { total: all.length, offset, schedules };
  });

  app.get<{ Params: { id: string } }>(`${api}/schedules/:id`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    const s = await kairos.schedules.get(request.params.id);
    if (s === null) return reply.code(404).send({ error: { code: 'SCHEDULE_NOT_FOUND', message: `schedule "${request.params.id}" not found` } });
    const [next, history] = await Promise.all([kairos.schedules.preview(s.id, 10), kairos.schedules.history(s.id, { limit: 50 })]);
    return { schedule: s, words: ruleInWords(s.rule), next, history };
  });

  app.get(`${api}/limiters`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:read')) return;
    return { available: true, limiters: await kairos.limiters.statusAll() };
  });

  app.get(`${api}/keys`, async (request, reply) => {
    if (!allowed(request, reply, 'admin')) return;
    const keys = options.keys;
    return { available: keys?.list !== undefined, canCreate: keys?.create !== undefined, keys: keys?.list === undefined ? [] : await keys.list() };
  });
  return () => {
    queues.clear();
    forecast.clear();
  };
}
