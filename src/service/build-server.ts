/**
 * buildServer(): the Fastify instance of service mode — the JSON API under /v1, health, readiness, metrics and the
 * OpenAPI 3.1 document, with API-key auth, request ids, a body-size limit and one error handler. It does not listen
 * and does not start the engine; serve.ts does both. Plugins (the dashboard) are mounted in their own encapsulated
 * context with `authenticate` to check a key themselves.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kairos } from '../engine/kairos.js';
import { ApiKeys, type Principal, type Scope } from './api-keys.js';
import { authenticate, authHook } from './auth.js';
import { registerErrorHandler } from './error-handler.js';
import type { ServiceMetrics } from './metrics.js';
import type { Api, RouteContext } from './routes/context.js';
import { ROUTE_MODULES } from './routes/index.js';
import { AUTH_ERRORS, ErrorBody } from './schemas/common.js';
import { compileValidator } from './validation.js';

/** What a plugin mounted by buildServer gets. */
export interface PluginContext {
  kairos: Kairos;
  keys: ApiKeys;
  /** The principal of a request whose key (bearer header, or `key` when given) holds `scope`; throws 401/403 KairosErrors. */
  authenticate: (request: FastifyRequest, scope?: Scope, key?: string | null) => Promise<Principal>;
}

/** A plugin of the server (the dashboard): registered in its own encapsulated context after the API. */
export type ServerPlugin = (app: FastifyInstance, ctx: PluginContext) => Promise<void> | void;

export interface ServerOptions {
  kairos: Kairos;
  /** The key store (default: one on the instance's store). */
  keys?: ApiKeys;
  /** Metrics to record and serve at /metrics; null for none. */
  metrics?: ServiceMetrics | null;
  /** A pino logger (JSON logs with request ids); default none. */
  logger?: FastifyBaseLogger;
  /** Largest request body in bytes; a larger one gets 413. Default 2 MiB. */
  bodyLimitBytes?: number;
  /** Checks a queue's target before it is stored; default accepts any object. */
  validateTarget?: RouteContext['validateTarget'];
  /** Called after a queue changed through the API. */
  onQueueChanged?: RouteContext['onQueueChanged'];
  /** Readiness of the workers (default: true). */
  workersStarted?: () => boolean;
  plugins?: readonly ServerPlugin[];
}

/** One route of the API as registered: what the auth test walks, so a new route cannot escape the key check. */
export interface ApiRoute {
  method: string;
  url: string;
  scope: Scope | 'public';
}

const ROUTE_TABLES = new WeakMap<FastifyInstance, ApiRoute[]>();

/** The routes of the API (not of plugins) of a server built by buildServer. */
export function apiRoutes(app: FastifyInstance): readonly ApiRoute[] {
  return ROUTE_TABLES.get(app) ?? [];
}

export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const keys = options.keys ?? new ApiKeys(options.kairos.driver);
  const metrics = options.metrics ?? null;
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    routerOptions: { maxParamLength: 256 },
    // Errors of the router itself (a malformed URL, a path parameter over maxParamLength) get the API's error body too.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 400;
      void reply.status(status).send({ error: { code: 'REQUEST_INVALID', message: error.message.slice(0, 200), field: null, requestId: String(request.id) } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(compileValidator);
  app.decorateRequest('principal', null);
  registerErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics?.httpRequest(request.method, route, reply.statusCode);
    request.log.info({ method: request.method, route, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, key: request.principal?.id }, 'request');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kairos HTTP API', version: 'v1', description: 'Durable job scheduling over HTTP. Every route but /healthz and /readyz needs `Authorization: Bearer <API key>`. Guide: docs/http-api.md.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'kairos_<id>_<secret>' } } },
      security: [{ apiKey: [] }],
    },
  });

  const ctx: RouteContext = {
    kairos: options.kairos, keys, metrics,
    validateTarget: options.validateTarget ?? (() => undefined),
    onQueueChanged: options.onQueueChanged ?? (() => undefined),
    workersStarted: options.workersStarted ?? (() => true),
  };
  const table: ApiRoute[] = [];
  ROUTE_TABLES.set(app, table);
  await app.register(async (api: Api) => {
    api.addHook('onRoute', (route) => {
      // A path parameter over maxParamLength is refused by the router with 414, before any handler runs.
      const response = route.schema?.response as Record<string, unknown> | undefined;
      if (route.url.includes(':') && response !== undefined) response[414] = ErrorBody;
      for (const method of [route.method].flat()) if (method !== 'HEAD') table.push({ method, url: route.url, scope: route.config?.scope ?? 'admin' });
    });
    api.addHook('onRequest', authHook(keys));
    for (const register of ROUTE_MODULES) register(api, ctx);
    api.get('/openapi.json', {
      config: { scope: 'jobs:read' },
      schema: { tags: ['health'], summary: 'This document (OpenAPI 3.1)', response: { 200: { type: 'object', additionalProperties: true }, ...AUTH_ERRORS } },
    }, async () => app.swagger() as unknown as Record<string, unknown>);
  });

  const pluginCtx: PluginContext = { kairos: options.kairos, keys, authenticate: (request, scope, key) => authenticate(keys, request, scope, key ?? undefined) };
  for (const plugin of options.plugins ?? []) await app.register(async (child) => plugin(child, pluginCtx));
  return app;
}
