/** /v1/calendars: holiday calendars that schedule rules name. */
import { Type } from 'typebox';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS, isoDates } from '../schemas/common.js';
import { Calendar, CalendarBody, CalendarParams } from '../schemas/schedules.js';
import type { RouteModule } from './context.js';

const tags = ['calendars'];

export const calendarRoutes: RouteModule = (app, { kairos }) => {
  app.get('/v1/calendars', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'Every calendar', response: { 200: Type.Object({ calendars: Type.Array(Calendar) }), ...AUTH_ERRORS } },
  }, async () => ({ calendars: (await kairos.calendars.list()).map((c) => isoDates(c)) }));

  app.put('/v1/calendars/:name', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Create or replace a calendar of excluded local dates (YYYY-MM-DD)', params: CalendarParams, body: CalendarBody, response: { 200: Calendar, ...INPUT_ERRORS, ...AUTH_ERRORS } },
  }, async (request) => kairos.calendars.define(request.params.name, request.body.dates));

  app.delete('/v1/calendars/:name', {
    config: { scope: 'admin' },
    schema: { tags, summary: 'Remove a calendar (refused while a schedule names it)', params: CalendarParams, response: { 204: { type: 'null', description: 'removed' }, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    await kairos.calendars.remove(request.params.name);
    return reply.status(204).send(null);
  });
};
