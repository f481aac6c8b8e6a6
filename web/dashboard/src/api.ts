/**
 * Requests to the dashboard API: same-origin only, the session cookie sent by the browser, the CSRF token on every
 * state change, and ETags on reads (an unchanged poll is a 304 and reuses the last body).
 */

export interface SessionInfo {
  keyId: string;
  name: string;
  scopes: string[];
  csrfToken: string;
  expiresAt: string;
  pollIntervalMs: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const BASE = '/dashboard/api';
let csrfToken = '';
/** Called when an answer says the session is gone (expired, signed out elsewhere, key revoked). */
let onSignedOut: () => void = () => undefined;
const cache = new Map<string, { etag: string; body: unknown }>();

export function setSession(session: SessionInfo | null): void {
  csrfToken = session?.csrfToken ?? '';
  if (session === null) cache.clear();
}

export function onSessionLost(fn: () => void): void {
  onSignedOut = fn;
}

async function failure(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  let code = 'HTTP';
  try {
    const body = (await response.json()) as { error?: { message?: string; code?: string } };
    message = body.error?.message ?? message;
    code = body.error?.code ?? code;
  } catch {
    // not JSON
  }
  if (response.status === 401) onSignedOut();
  return new ApiError(response.status, message, code);
}

/** GET with ETag revalidation. */
export async function get<T>(path: string): Promise<T> {
  const url = `${BASE}${path}`;
  const cached = cache.get(url);
  const response = await fetch(url, { credentials: 'same-origin', headers: cached === undefined ? {} : { 'if-none-match': cached.etag } });
  if (response.status === 304 && cached !== undefined) return cached.body as T;
  if (!response.ok) throw await failure(response);
  const body = (await response.json()) as T;
  const etag = response.headers.get('etag');
  if (etag !== null) cache.set(url, { etag, body });
  return body;
}

/** A state change: POST or DELETE with the CSRF token and a JSON body. */
export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE}${path}`, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function signIn(key: string): Promise<SessionInfo> {
  const response = await fetch(`${BASE}/session`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as SessionInfo;
}

/** The current session, or null when not signed in. */
export async function currentSession(): Promise<SessionInfo | null> {
  const response = await fetch(`${BASE}/session`, { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) return null;
  if (!response.ok) throw await failure(response);
  return (await response.json()) as SessionInfo;
}

export function hasScope(session: SessionInfo, scope: 'jobs:read' | 'jobs:write' | 'admin'): boolean {
  return session.scopes.includes('admin') || session.scopes.includes(scope);
}
