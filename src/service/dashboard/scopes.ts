/** Scope checks of dashboard routes: a handler states the scope it needs; a session without it gets 403. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { grants, type DashboardScope } from './types.js';

/** Sends 403 and returns false when the session lacks `scope`. */
export function allowed(request: FastifyRequest, reply: FastifyReply, scope: DashboardScope): boolean {
  const session = request.dashboardSession;
  if (session !== undefined && grants(session.scopes, scope)) return true;
  void reply.code(403).send({ error: { code: 'FORBIDDEN', message: `this needs an API key with scope ${scope}` } });
  return false;
}

/** A 400 answer naming the bad field. */
export function badRequest(reply: FastifyReply, field: string, message: string): FastifyReply {
  return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: `${field}: ${message}`, details: { field } } });
}
