/** What the dashboard plugin needs from the server: the Kairos instance and the API key store. */
import type { Kairos } from '../../engine/kairos.js';
import type { SessionLimits } from './sessions.js';

/** The scopes of API keys. `admin` includes the other two. */
export type DashboardScope = 'jobs:read' | 'jobs:write' | 'admin';

/** A key as the key store describes it (never its secret). */
export interface DashboardKeyInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAt: Date | string | number;
  lastUsedAt?: Date | string | number | null;
}

/** The server's key store, as far as the API keys page uses it. Each part is optional: without it, the page says so. */
export interface DashboardKeyStore {
  list?(): Promise<DashboardKeyInfo[]>;
  /** Create a key; the secret is returned once and never stored in the clear. */
  create?(params: { name: string; scopes: DashboardScope[] }): Promise<{ key: DashboardKeyInfo; secret: string }>;
  /** Revoke a key; false when there was none. */
  revoke?(id: string): Promise<boolean>;
}

export interface DashboardOptions {
  kairos: Kairos;
  /** Checks a presented API key against the server's key store: who it is, or null for a wrong or revoked key. */
  authenticate(key: string): Promise<{ id: string; name: string; scopes: readonly string[] } | null>;
  keys?: DashboardKeyStore;
  /**
   * Whether a key is still live (not revoked). Sessions ask it again every KEY_RECHECK_MS, so a key revoked outside
   * the dashboard (CLI, API, another process) ends its sessions within that time. Without it, only revokes made
   * through this dashboard end sessions at once.
   */
  keyActive?(keyId: string): Promise<boolean>;
  /** How often a session's key is checked with keyActive, ms (default 30,000). */
  keyRecheckMs?: number;
  /** The built front-end (default: dist/dashboard of the package). */
  assetsDir?: string;
  /** Redirect `/` to `/dashboard/` (default true). */
  redirectRoot?: boolean;
  sessions?: Partial<SessionLimits>;
  /** How often pages poll for changes, ms (default 2000; answers carry ETags, so an unchanged poll costs a 304). */
  pollIntervalMs?: number;
}

/** True when `scopes` grant `needed` (admin grants everything). */
export function grants(scopes: readonly string[], needed: DashboardScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
