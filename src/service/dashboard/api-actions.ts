/**
 * The dashboard's state changes: cancel and replay (one job or a filtered set; scope jobs:write), queue and schedule
 * pause/resume and run-now (admin), and API keys (admin). The CSRF checks run before any of these (plugin.ts).
 */
import type { FastifyInstance } from 'fastify';
import { JOB_STATES, type JobState } from '../../core/job-state.js';
import { renderPayload } from '../../core/schedule/schedule-definition.js';
import { bulkApply, bulkMatch, type BulkAction } from './bulk.js';
import { allowed, badRequest } from './scopes.js';
import type { SessionStore } from './sessions.js';
import type { DashboardOptions, DashboardScope } from './types.js';

const SCOPES: readonly DashboardScope[] = ['jobs:read', 'jobs:write', 'admin'];

function jobId(text: string): number {
  return /^\d{1,16}$/.test(text) ? Number(text) : NaN;
}

export function registerActionRoutes(app: FastifyInstance, prefix: string, options: DashboardOptions, sessions: SessionStore, changed: () => void): void {
  const { kairos } = options;
  // Cached counts and forecasts are dropped after every change made here, so the next read shows it.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && reply.statusCode < 300 && request.url.startsWith(`${prefix}/api/`)) changed();
  });
  const api = `${prefix}/api`;

  app.post<{ Params: { id: string } }>(`${api}/jobs/:id/cancel`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:write')) return;
    const id = jobId(request.params.id);
    if (Number.isNaN(id)) return badRequest(reply, 'id', 'must be a job id');
    return { cancelled: await kairos.cancel(id) };
  });

  app.post<{ Params: { id: string } }>(`${api}/jobs/:id/replay`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:write')) return;
    const id = jobId(request.params.id);
    if (Number.isNaN(id)) return badRequest(reply, 'id', 'must be a job id');
    return kairos.replay(id);
  });

  /** { action, queue?, state?, confirm? }: without `confirm`, counts; with it (the count the user saw), acts. */
  app.post<{ Body: { action?: unknown; queue?: unknown; state?: unknown; confirm?: unknown } }>(`${api}/jobs/bulk`, async (request, reply) => {
    if (!allowed(request, reply, 'jobs:write')) return;
    const { action, queue, state, confirm } = request.body ?? {};
    if (action !== 'cancel' && action !== 'replay') return badRequest(reply, 'action', "must be 'cancel' or 'replay'");
    if (queue !== undefined && (typeof queue !== 'string' || queue === '')) return badRequest(reply, 'queue', 'must be a queue name');
    if (state !== undefined && !(JOB_STATES as readonly unknown[]).includes(state)) return badRequest(reply, 'state', `must be one of ${JOB_STATES.join(', ')}`);
    if (confirm !== undefined && (!Number.isInteger(confirm) || (confirm as number) < 0)) return badRequest(reply, 'confirm', 'must be the count the confirmation showed');
    const filter = { queue: queue as string | undefined, state: state as JobState | undefined };
    const matched = await bulkMatch(kairos, action as BulkAction, filter);
    if (confirm === undefined) return { action, matched: matched.ids.length, capped: matched.capped };
    const done = await bulkApply(kairos, action as BulkAction, matched.ids);
    return { action, matched: matched.ids.length, capped: matched.capped, ...done };
  });

  for (const verb of ['pause', 'resume'] as const) {
    app.post<{ Params: { name: string } }>(`${api}/queues/:name/${verb}`, async (request, reply) => {
      if (!allowed(request, reply, 'admin')) return;
      return kairos.queues[verb](request.params.name);
    });
    app.post<{ Params: { id: string } }>(`${api}/schedules/:id/${verb}`, async (request, reply) => {
      if (!allowed(request, reply, 'admin')) return;
      return kairos.schedules[verb](request.params.id);
    });
  }

  /** One job from the schedule's template now, outside its occurrences (its history does not change). */
  app.post<{ Params: { id: string } }>(`${api}/schedules/:id/run`, async (request, reply) => {
    if (!allowed(request, reply, 'admin')) return;
    const s = await kairos.schedules.get(request.params.id);
    if (s === null) return reply.code(404).send({ error: { code: 'SCHEDULE_NOT_FOUND', message: `schedule "${request.params.id}" not found` } });
    const now = Date.now();
    const payload = JSON.parse(renderPayload(JSON.stringify(s.payload), s.id, now, now)) as unknown;
    const o = s.jobOptions ?? {};
    const job = await kairos.enqueue(s.queue, payload, {
      priority: o.priority, maxAttempts: o.maxAttempts, backoff: o.backoff, timeoutMs: o.timeoutMs, tags: [...(o.tags ?? []), 'run-now', `schedule:${s.id}`],
    });
    return reply.code(201).send(job);
  });

  app.post<{ Body: { name?: unknown; scopes?: unknown } }>(`${api}/keys`, async (request, reply) => {
    if (!allowed(request, reply, 'admin')) return;
    const keys = options.keys;
    if (keys?.create === undefined) return reply.code(501).send({ error: { code: 'NOT_AVAILABLE', message: 'this server cannot create keys from the dashboard' } });
    const { name, scopes } = request.body ?? {};
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) return badRequest(reply, 'name', 'must be 1 to 100 characters');
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((x) => (SCOPES as readonly unknown[]).includes(x))) {
      return badRequest(reply, 'scopes', `must be a non-empty list of ${SCOPES.join(', ')}`);
    }
    const created = await keys.create({ name: name.trim(), scopes: [...new Set(scopes as DashboardScope[])] });
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string } }>(`${api}/keys/:id`, async (request, reply) => {
    if (!allowed(request, reply, 'admin')) return;
    const keys = options.keys;
    if (keys?.revoke === undefined) return reply.code(501).send({ error: { code: 'NOT_AVAILABLE', message: 'this server cannot revoke keys from the dashboard' } });
    if (!(await keys.revoke(request.params.id))) return reply.code(404).send({ error: { code: 'KEY_NOT_FOUND', message: `key "${request.params.id}" not found` } });
    // The key's sessions end with it.
    sessions.deleteByKey(request.params.id);
    return reply.code(204).send();
  });
}
