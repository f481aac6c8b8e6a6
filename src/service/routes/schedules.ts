/** /v1/schedules: list, read, create or replace, delete, pause, resume, preview of next occurrences, history. */
import { Type } from 'typebox';
import type { ScheduleDefinition } from '../../core/schedule/schedule-definition.js';
import { KairosError } from '../../core/errors.js';
import type { Schedule } from '../../engine/schedules.js';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS, isoDates } from '../schemas/common.js';
import { History, HistoryQuery, Preview, PreviewQuery, Schedule as ScheduleSchema, ScheduleBody, ScheduleIdParams } from '../schemas/schedules.js';
import type { RouteModule } from './context.js';

const json = (s: Schedule) => isoDates(s);
const tags = ['schedules'];
const notFound = (id: string) => new KairosError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`, { details: { field: 'id' } });

export const scheduleRoutes: RouteModule = (app, { kairos }) => {
  app.get('/v1/schedules', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'Every schedule', response: { 200: Type.Object({ schedules: Type.Array(ScheduleSchema) }), ...AUTH_ERRORS } },
  }, async () => ({ schedules: (await kairos.schedules.list()).map(json) }));

  app.get('/v1/schedules/:id', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'One schedule', params: ScheduleIdParams, response: { 200: ScheduleSchema, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => {
    const s = await kairos.schedules.get(request.params.id);
    if (s === null) throw notFound(request.params.id);
    return json(s);
  });

  app.put('/v1/schedules/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Create or replace a schedule', params: ScheduleIdParams, body: ScheduleBody, response: { 200: ScheduleSchema, ...INPUT_ERRORS, ...AUTH_ERRORS, 404: ErrorBody, 409: ErrorBody } },
  }, async (request) => json(await kairos.schedules.upsert({ ...request.body, id: request.params.id } as unknown as ScheduleDefinition)));

  app.delete('/v1/schedules/:id', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Delete a schedule and its history (its jobs stay)', params: ScheduleIdParams, response: { 204: { type: 'null', description: 'deleted' }, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request, reply) => {
    await kairos.schedules.remove(request.params.id);
    return reply.status(204).send(null);
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/v1/schedules/:id/${action}`, {
      config: { scope: 'admin' },
      schema: { tags, summary: `${action === 'pause' ? 'Pause' : 'Resume'} a schedule`, params: ScheduleIdParams, response: { 200: ScheduleSchema, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
    }, async (request) => json(await kairos.schedules[action](request.params.id)));
  }

  app.get('/v1/schedules/:id/preview', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'The next occurrences (default 10)', params: ScheduleIdParams, querystring: PreviewQuery, response: { 200: Preview, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => ({ occurrences: (await kairos.schedules.preview(request.params.id, request.query.count ?? 10)).map((p) => isoDates(p)) }));

  app.post('/v1/schedules/preview', {
    config: { scope: 'jobs:read' },
    schema: {
      tags, summary: 'The next occurrences of a definition that is not stored (nothing is written)', querystring: PreviewQuery,
      body: Type.Object({ ...ScheduleBody.properties, id: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      response: { 200: Preview, ...INPUT_ERRORS, ...AUTH_ERRORS, 404: ErrorBody },
    },
  }, async (request) => {
    const definition = { ...request.body, id: request.body.id ?? 'preview' } as unknown as ScheduleDefinition;
    return { occurrences: (await kairos.schedules.preview(definition, request.query.count ?? 10)).map((p) => isoDates(p)) };
  });

  app.get('/v1/schedules/:id/history', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'Past occurrences, newest first', params: ScheduleIdParams, querystring: HistoryQuery, response: { 200: History, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => ({ occurrences: (await kairos.schedules.history(request.params.id, request.query)).map((o) => isoDates(o)) }));
};
