/** /v1/limiters: shared flow-control limiters (concurrency, reserved lanes, rate) over `kairos.limiters`. */
import { Type } from 'typebox';
import { KairosError } from '../../core/errors.js';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS } from '../schemas/common.js';
import type { RouteModule } from './context.js';

const Id = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' }) });
const Loose = (description: string) => Type.Unsafe<object>({ type: 'object', additionalProperties: true, description });
const LimiterInfo = Loose('{ id, concurrency, lanes: { name: { reserved } }, lend, rate: { limit, perMs } | null, version, createdAt, updatedAt }');
const LimiterStatus = Loose('{ id, concurrency, running, waiting, lanes: [{ lane, reserved, running, waiting, oldestWaitingMs }], rate: { limit, perMs, used, nextFreeAt } | null, at }');
const LimiterBody = Type.Object({
  concurrency: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  lanes: Type.Optional(Type.Record(Type.String(), Type.Object({ reserved: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }))),
  lend: Type.Optional(Type.Boolean()),
  rate: Type.Optional(Type.Union([Type.Object({ limit: Type.Integer({ minimum: 1 }), perMs: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), Type.Null()])),
}, { additionalProperties: false });
const tags = ['limiters'];

export const limiterRoutes: RouteModule = (app, { kairos }) => {
  const limiters = kairos.limiters;

  app.get('/v1/limiters', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'Every limiter', response: { 200: Type.Object({ limiters: Type.Array(LimiterInfo) }), ...AUTH_ERRORS } },
  }, async () => ({ limiters: await limiters.list() }));

  app.get('/v1/limiters/:id', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'One limiter', params: Id, response: { 200: LimiterInfo, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => {
    const limiter = await limiters.get(request.params.id);
    if (limiter === null) throw new KairosError('LIMITER_NOT_FOUND', `limiter "${request.params.id}" not found`, { details: { field: 'id' } });
    return limiter;
  });

  app.get('/v1/limiters/:id/status', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'What a limiter uses now: running, waiting, lanes, rate window', params: Id, response: { 200: LimiterStatus, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => limiters.status(request.params.id));

  app.put('/v1/limiters/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Create or replace a limiter', params: Id, body: LimiterBody, response: { 200: LimiterInfo, ...INPUT_ERRORS, ...AUTH_ERRORS } },
  }, async (request) => limiters.upsert({ ...request.body, id: request.params.id }));

  app.delete('/v1/limiters/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Remove a limiter', params: Id, response: { 204: { type: 'null', description: 'removed' }, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    await limiters.remove(request.params.id);
    return reply.status(204).send(null);
  });
};
