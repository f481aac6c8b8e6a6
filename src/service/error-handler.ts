/**
 * The one place that turns an error into an HTTP response: KairosError codes map to statuses, Fastify's own errors
 * (body too large, bad JSON, unsupported media type) to theirs, anything else to 500 with no detail. No response
 * carries a stack trace; the log line of a 5xx does.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKairosError, type ErrorCode } from '../core/errors.js';
import type { ErrorBody } from './schemas/common.js';

/** HTTP status per KairosError code; a code not listed is a 500 (a failure of the service, not of the request). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  REQUEST_INVALID: 400,
  CONFIG_INVALID: 400,
  JOB_OPTION_INVALID: 400,
  PAYLOAD_INVALID: 400,
  QUEUE_NAME_INVALID: 400,
  QUEUE_OPTION_INVALID: 400,
  SCHEDULE_RULE_INVALID: 400,
  SCHEDULE_RULE_IMPOSSIBLE: 400,
  SCHEDULE_OPTION_INVALID: 400,
  CALENDAR_INVALID: 400,
  API_KEY_INVALID: 400,
  CALENDAR_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  JOB_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  DUPLICATE_KEY: 409,
  JOB_STATE_CONFLICT: 409,
  QUEUE_CONFLICT: 409,
  CALENDAR_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  STORE_BUSY: 503,
  CLOSED: 503,
};

/** Codes some target/limiter modules add later; mapped by name so they need no change here. */
const EXTRA_STATUS: Record<string, number> = { QUEUE_FULL: 429, TARGET_INVALID: 400, TARGET_REFUSED: 400, LIMITER_NOT_FOUND: 404, LIMITER_OPTION_INVALID: 400 };

export function statusFor(code: string): number {
  return STATUS[code as ErrorCode] ?? EXTRA_STATUS[code] ?? (code.endsWith('_INVALID') ? 400 : code.endsWith('_NOT_FOUND') ? 404 : 500);
}

function body(request: FastifyRequest, code: string, message: string, field: string | null): ErrorBody {
  return { error: { code, message, field, requestId: String(request.id) } };
}

/** Fastify's own error codes that are the client's doing, with the code the API shows. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'REQUEST_INVALID' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'REQUEST_INVALID' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'REQUEST_INVALID' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, code: 'REQUEST_INVALID' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'REQUEST_INVALID' },
};

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isKairosError(error)) {
      const status = statusFor(error.code);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send(body(request, error.code, error.message, error.details.field ?? null));
    }
    const known = FASTIFY_CLIENT_ERRORS[error.code];
    if (known !== undefined) return reply.status(known.status).send(body(request, known.code, error.message, 'body'));
    // A body that is not JSON: the parser's SyntaxError carries status 400.
    if (error.statusCode === 400 || error instanceof SyntaxError) return reply.status(400).send(body(request, 'REQUEST_INVALID', `body: not valid JSON (${error.message})`, 'body'));
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(body(request, 'REQUEST_INVALID', error.message, null));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(body(request, 'INTERNAL', 'internal error; the server log has the details under this request id', null));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(body(request, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, null)));
}
