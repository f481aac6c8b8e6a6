/**
 * The dashboard as a Fastify plugin: the built pages at /dashboard, sign-in with an API key into a server-side
 * session (HttpOnly, SameSite=Strict cookie), and the JSON endpoints under /dashboard/api. Every state change passes
 * two CSRF checks: the browser's Sec-Fetch-Site must say same-origin, and the X-CSRF-Token header must match the
 * session's token. docs/dashboard.md describes the model.
 */
import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKairosError } from '../../core/errors.js';
import { registerActionRoutes } from './api-actions.js';
import { registerReadRoutes } from './api-read.js';
import { CONTENT_SECURITY_POLICY, defaultAssetsDir, loadAssets } from './assets.js';
import { csrfTokenMatches, DEFAULT_SESSION_LIMITS, SessionStore, type Session } from './sessions.js';
import type { DashboardOptions } from './types.js';

export const SESSION_COOKIE = 'kairos_session';
export const CSRF_HEADER = 'x-csrf-token';
const PREFIX = '/dashboard';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How often a session's key is checked again against the key store by default, ms. */
export const KEY_RECHECK_MS = 30_000;

declare module 'fastify' {
  interface FastifyRequest {
    dashboardSession?: Session;
  }
}

/** HTTP status of a library error code. */
function statusOf(code: string): number {
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.endsWith('_INVALID') || code === 'PAYLOAD_TOO_LARGE' || code === 'ID_OUT_OF_RANGE') return 400;
  if (code === 'JOB_STATE_CONFLICT' || code === 'QUEUE_CONFLICT' || code === 'DUPLICATE_KEY' || code === 'CALENDAR_IN_USE') return 409;
  if (code === 'STORE_BUSY') return 503;
  return 500;
}

/** The request came over https (directly, or through a proxy Fastify trusts). */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/**
 * Fetch-Metadata: a browser names where a request comes from. Anything but same-origin (or a user's own navigation,
 * "none") is refused for state changes; a client that sends no header (not a browser) still needs the token.
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** Registers the dashboard on `app`: pages, session routes and the JSON API. Returns its session store. */
export async function registerDashboard(app: FastifyInstance, options: DashboardOptions): Promise<SessionStore> {
  const sessions = new SessionStore({ ...DEFAULT_SESSION_LIMITS, ...options.sessions });
  const assets = loadAssets(options.assetsDir ?? defaultAssetsDir());
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;

  if (options.redirectRoot !== false) app.get('/', async (_request, reply) => reply.redirect(`${PREFIX}/`, 302));

  await app.register(async (scope) => {
    await scope.register(cookie);

    scope.addHook('onSend', async (request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      // Polling with ETags: an unchanged answer costs a 304 and no body.
      if (request.method === 'GET' && reply.statusCode === 200 && typeof payload === 'string' && request.url.startsWith(`${PREFIX}/api/`)) {
        const etag = `W/"${createHash('sha1').update(payload).digest('base64url')}"`;
        reply.header('etag', etag);
        reply.header('cache-control', 'no-cache');
        if (request.headers['if-none-match'] === etag) {
          reply.code(304);
          return '';
        }
      }
      return payload;
    });

    scope.setErrorHandler(async (error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
      if (isKairosError(error)) {
        const status = statusOf(error.code);
        return reply.code(status).send({ error: { code: error.code, message: status === 500 ? 'internal error' : error.message, details: status === 500 ? undefined : error.details } });
      }
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) scope.log.error({ err: error }, 'dashboard request failed');
      return reply.code(status).send({ error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: status === 500 ? 'internal error' : error.message } });
    });

    // ── pages ──
    const page = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
      const path = request.params['*'] ?? '';
      if (path.startsWith('api/')) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } });
      const asset = assets.get(path) ?? (path.startsWith('assets/') ? undefined : assets.get('index.html'));
      if (asset === undefined) {
        if (assets.size === 0) return reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build`.');
        return reply.code(404).type('text/plain').send('not found');
      }
      reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(asset.type).send(asset.body);
    };
    scope.get(PREFIX, async (_request, reply) => reply.redirect(`${PREFIX}/`, 302));
    scope.get(`${PREFIX}/*`, page);

    // ── session ──
    const cookieOptions = (request: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'strict' as const, secure: isHttps(request) });
    const sessionView = (s: Session) => ({ keyId: s.keyId, name: s.name, scopes: s.scopes, csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt), pollIntervalMs });

    scope.post<{ Body: { key?: unknown } }>(`${PREFIX}/api/session`, async (request, reply) => {
      if (crossSite(request)) return reply.code(403).send({ error: { code: 'CSRF', message: 'cross-site sign-in refused' } });
      const key = request.body?.key;
      if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
        return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: 'key: must be a non-empty string', details: { field: 'key' } } });
      }
      const identity = await options.authenticate(key);
      if (identity === null) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'this API key is not valid' } });
      const { id, session } = sessions.create({ keyId: identity.id, name: identity.name, scopes: identity.scopes });
      reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: Math.floor((session.expiresAt - session.createdAt) / 1000) });
      return reply.code(201).send(sessionView(session));
    });

    // Everything else under /dashboard/api needs a session, and a state change needs both CSRF checks.
    scope.addHook('preHandler', async (request, reply) => {
      if (!request.url.startsWith(`${PREFIX}/api/`)) return;
      if (request.method === 'POST' && request.routeOptions.url === `${PREFIX}/api/session`) return;
      const id = request.cookies[SESSION_COOKIE];
      const session = sessions.get(id);
      if (session === null) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'sign in first' } });
      if (options.keyActive !== undefined && Date.now() - session.keyCheckedAt >= (options.keyRecheckMs ?? KEY_RECHECK_MS)) {
        if (!(await options.keyActive(session.keyId))) {
          sessions.delete(id);
          return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'the key of this session was revoked; sign in again' } });
        }
        session.keyCheckedAt = Date.now();
      }
      if (UNSAFE.has(request.method) && (crossSite(request) || !csrfTokenMatches(session, request.headers[CSRF_HEADER]))) {
        return reply.code(403).send({ error: { code: 'CSRF', message: 'missing or wrong CSRF token, or a cross-site request' } });
      }
      request.dashboardSession = session;
    });

    scope.get(`${PREFIX}/api/session`, async (request) => sessionView(request.dashboardSession!));
    scope.delete(`${PREFIX}/api/session`, async (request, reply) => {
      sessions.delete(request.cookies[SESSION_COOKIE]);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      return reply.code(204).send();
    });

    const changed = registerReadRoutes(scope, PREFIX, options);
    registerActionRoutes(scope, PREFIX, options, sessions, changed);
  });
  return sessions;
}
