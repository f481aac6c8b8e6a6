/**
 * Authentication of API requests: `Authorization: Bearer <key>`, checked against the key store, then the scope the
 * route declares in its config. Routes opt out only with `config: { scope: 'public' }` (health and readiness).
 */
import type { FastifyRequest } from 'fastify';
import { KairosError } from '../core/errors.js';
import { hasScope, type ApiKeys, type Principal, type Scope } from './api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; 'public' for none. A route of the API without one needs `admin`. */
    scope?: Scope | 'public';
  }
  interface FastifyRequest {
    /** The key that authenticated the request (null on public routes). */
    principal: Principal | null;
  }
}

/** The key of a request: the bearer token of its Authorization header, or null. */
export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match === null ? null : match[1]!;
}

/**
 * The principal of a request holding `scope` (any key when `scope` is undefined); throws UNAUTHENTICATED (401) or
 * FORBIDDEN (403). Exported for plugins (the dashboard) that authenticate their own routes.
 */
export async function authenticate(keys: ApiKeys, request: FastifyRequest, scope?: Scope, key: string | null = bearerKey(request)): Promise<Principal> {
  if (key === null) throw new KairosError('UNAUTHENTICATED', 'an API key is required: send "Authorization: Bearer <key>"');
  const principal = await keys.verify(key);
  if (principal === null) throw new KairosError('UNAUTHENTICATED', 'the API key is unknown or revoked');
  if (scope !== undefined && !hasScope(principal.scopes, scope)) {
    throw new KairosError('FORBIDDEN', `this route needs scope ${scope}; the key has ${principal.scopes.join(', ')}`, { details: { scope } });
  }
  return principal;
}

/** The onRequest hook of the API context. */
export function authHook(keys: ApiKeys) {
  return async (request: FastifyRequest): Promise<void> => {
    const scope = request.routeOptions.config.scope ?? 'admin';
    if (scope === 'public') return;
    request.principal = await authenticate(keys, request, scope);
  };
}
