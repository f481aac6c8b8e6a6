/**
 * Dashboard sessions, kept in this process's memory: one per sign-in, found by a random id sent as an HttpOnly
 * cookie, with its own CSRF token. A session ends at sign-out, after `idleMs` without a request, after `lifetimeMs` in
 * all, or when its key is revoked through the dashboard. A restart signs everyone out; several server processes behind
 * one address need sticky routing (docs/dashboard.md).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who signed in: the API key's id and name and its scopes. */
export interface SessionIdentity {
  keyId: string;
  name: string;
  scopes: readonly string[];
}

export interface Session extends SessionIdentity {
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** When the key was last found live (plugin.ts asks the key store again after KEY_RECHECK_MS). */
  keyCheckedAt: number;
}

export interface SessionLimits {
  /** Longest life of a session, ms (default 12 h). */
  lifetimeMs: number;
  /** A session unused this long ends, ms (default 1 h). */
  idleMs: number;
  /** Most sessions held at once; the oldest go first (default 10,000). */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { lifetimeMs: 12 * 3_600_000, idleMs: 3_600_000, maxSessions: 10_000 };

/** The map key of a session id: its hash, so the table itself holds nothing a cookie could be made from. */
const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  /** By id digest, oldest first (Map keeps insertion order). */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session; returns its id (for the cookie) and the session. */
  create(identity: SessionIdentity): { id: string; session: Session } {
    this.sweep();
    while (this.sessions.size >= this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = {
      ...identity, scopes: [...identity.scopes], csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now,
      expiresAt: now + this.limits.lifetimeMs, keyCheckedAt: now,
    };
    this.sessions.set(digest(id), session);
    return { id, session };
  }

  /** The live session of a cookie value (refreshing its idle timer), or null. */
  get(id: string | undefined): Session | null {
    if (id === undefined || id.length === 0 || id.length > 100) return null;
    const key = digest(id);
    const s = this.sessions.get(key);
    if (s === undefined) return null;
    const now = this.now();
    if (now >= s.expiresAt || now - s.lastSeenAt >= this.limits.idleMs) {
      this.sessions.delete(key);
      return null;
    }
    s.lastSeenAt = now;
    return s;
  }

  /** Ends one session; false when there was none. */
  delete(id: string | undefined): boolean {
    return id !== undefined && this.sessions.delete(digest(id));
  }

  /** Ends every session signed in with a key (after it is revoked); returns how many. */
  deleteByKey(keyId: string): number {
    let n = 0;
    for (const [k, s] of this.sessions) if (s.keyId === keyId && this.sessions.delete(k)) n++;
    return n;
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, s] of this.sessions) if (now >= s.expiresAt || now - s.lastSeenAt >= this.limits.idleMs) this.sessions.delete(k);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
