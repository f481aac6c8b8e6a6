/** /v1/queues: list with counts, read, create or update (target, concurrency, capacity, fallback), pause, resume, delete. */
import { Type } from 'typebox';
import { KairosError } from '../../core/errors.js';
import type { QueueInfo } from '../../engine/queues.js';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS, isoDates } from '../schemas/common.js';
import { QueueInfo as QueueInfoSchema, QueueList, QueueParams, QueueSettingsBody } from '../schemas/queues.js';
import type { RouteModule } from './context.js';

export const queueJson = (q: QueueInfo) => isoDates(q);
const tags = ['queues'];
const notFound = (name: string) => new KairosError('QUEUE_NOT_FOUND', `queue "${name}" has neither settings nor jobs`, { details: { field: 'name' } });

export const queueRoutes: RouteModule = (app, { kairos, validateTarget, onQueueChanged }) => {
  app.get('/v1/queues', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'Every queue with settings or jobs, with its jobs by state', response: { 200: QueueList, ...AUTH_ERRORS } },
  }, async () => ({ queues: (await kairos.queues.list()).map(queueJson) }));

  app.get('/v1/queues/:name', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'One queue', params: QueueParams, response: { 200: QueueInfoSchema, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => {
    const q = await kairos.queues.get(request.params.name);
    if (q === null) throw notFound(request.params.name);
    return queueJson(q);
  });

  app.put('/v1/queues/:name', {
    config: { scope: 'admin' },
    schema: {
      tags, summary: 'Create a queue\'s settings or change some of them (left out: kept; null: cleared)', params: QueueParams, body: QueueSettingsBody,
      response: { 200: QueueInfoSchema, ...INPUT_ERRORS, ...AUTH_ERRORS, 409: ErrorBody },
    },
  }, async (request) => {
    const { expectedVersion, ...settings } = request.body;
    if (settings.target !== undefined && settings.target !== null) await validateTarget(settings.target);
    const q = await kairos.queues.upsert(request.params.name, settings, expectedVersion === undefined ? {} : { expectedVersion });
    await onQueueChanged(q.name);
    return queueJson(q);
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/v1/queues/:name/${action}`, {
      config: { scope: 'admin' },
      schema: {
        tags, summary: action === 'pause' ? 'Stop every instance from starting jobs of the queue (running ones go on)' : 'Let every instance start jobs of the queue again',
        params: QueueParams, response: { 200: QueueInfoSchema, 400: ErrorBody, ...AUTH_ERRORS },
      },
    }, async (request) => {
      const q = await kairos.queues[action](request.params.name);
      await onQueueChanged(q.name);
      return queueJson(q);
    });
  }

  app.post('/v1/queues/:name/drain', {
    config: { scope: 'admin' },
    schema: {
      tags, summary: 'Cancel every job of the queue that waits to run (held ones too); running jobs go on. Pause first to stop new starts',
      params: QueueParams, response: { 200: Type.Object({ cancelled: Type.Integer({ minimum: 0 }) }), 400: ErrorBody, ...AUTH_ERRORS },
    },
  }, async (request) => ({ cancelled: await kairos.queues.drain(request.params.name) }));

  app.delete('/v1/queues/:name', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Remove a queue\'s settings (its jobs stay; delivery stops)', params: QueueParams, response: { 204: { type: 'null', description: 'removed' }, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request, reply) => {
    await kairos.queues.remove(request.params.name);
    await onQueueChanged(request.params.name);
    return reply.status(204).send(null);
  });
};
