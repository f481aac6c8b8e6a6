/**
 * API keys of the HTTP service: created with scopes and shown once, stored as a SHA-256 hash, verified in constant
 * time. A key reads `kairos_<id>_<secret>`: the id is public and finds the row, the 256-bit random secret is what
 * proves possession. A slow password hash (bcrypt, scrypt) buys nothing here: it exists to make guessing a
 * low-entropy human password expensive, and a 256-bit random secret cannot be guessed; a fast hash keeps every
 * request's check cheap (microseconds) while a stolen table still yields no usable key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { describeValue, KairosError } from '../core/errors.js';
import type { ApiKeyRow, Driver } from '../driver/driver.js';

/** What a key may do. `admin` includes the other two; `jobs:write` does not include `jobs:read`. */
export const SCOPES = ['jobs:read', 'jobs:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** A key as listed: never the key itself. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** The result of a successful check. */
export interface Principal {
  id: string;
  scopes: Scope[];
}

const KEY_FORMAT = /^kairos_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** How long a verified key is trusted without reading the store again; a revoke elsewhere takes effect after it. */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return { id: row.id, name: row.name, scopes: JSON.parse(row.scopes) as Scope[], createdAt: new Date(row.createdAt), revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt) };
}

/** True when `scopes` grant `needed` (admin grants everything). */
export function hasScope(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

/** Checks a list of scopes: at least one, each known, no repeats. */
export function assertScopes(scopes: unknown): asserts scopes is Scope[] {
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => !(SCOPES as readonly unknown[]).includes(s)) || new Set(scopes).size !== scopes.length) {
    throw new KairosError('API_KEY_INVALID', `scopes: must be a non-empty list of distinct scopes from ${SCOPES.join(', ')}, got ${describeValue(scopes)}`, { details: { field: 'scopes' } });
  }
}

/** The key store over the Driver seam. One per process; its short verify cache is per instance. */
export class ApiKeys {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly driver: Driver) {}

  /** Make a key. The returned `key` is the only time it is seen; only its hash is stored. */
  async create(input: { name: string; scopes: readonly string[] }): Promise<{ key: string; info: ApiKeyInfo }> {
    const { key, write } = this.newKey(input);
    const row = await this.driver.apiKeyCreate({ key: write });
    return { key, info: toInfo(row!) };
  }

  /** On a store that has never held a key: make an admin key and return it; null otherwise (atomic across processes). */
  async createFirstAdmin(): Promise<{ key: string; info: ApiKeyInfo } | null> {
    const { key, write } = this.newKey({ name: 'first admin key', scopes: ['admin'] });
    const row = await this.driver.apiKeyCreate({ key: write, onlyIfNone: true });
    return row === null ? null : { key, info: toInfo(row) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.driver.apiKeyList()).map(toInfo);
  }

  /** Revoke a key at once for this process (other processes within CACHE_MS). API_KEY_NOT_FOUND if none is live. */
  async revoke(id: string): Promise<void> {
    if (!(await this.driver.apiKeyRevoke({ id }))) throw new KairosError('API_KEY_NOT_FOUND', `API key ${describeValue(id)} not found or already revoked`, { details: { field: 'id' } });
    for (const [hash, entry] of this.cache) if (entry.principal.id === id) this.cache.delete(hash);
  }

  /** The key's id and scopes, or null for a malformed, unknown or revoked key. The hash is compared in constant time. */
  async verify(key: string): Promise<Principal | null> {
    const match = KEY_FORMAT.exec(key);
    if (match === null) return null;
    const hash = sha256Hex(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now) return cached.principal;
    const row = await this.driver.apiKeyGet({ id: match[1]! });
    // Compare even when the id is unknown, so the time taken does not tell which ids exist.
    const stored = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
    const equal = timingSafeEqual(stored, Buffer.from(hash, 'hex'));
    if (row === null || !equal || row.revokedAt !== null) return null;
    const principal: Principal = { id: row.id, scopes: JSON.parse(row.scopes) as Scope[] };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, until: now + CACHE_MS });
    return principal;
  }

  private newKey(input: { name: string; scopes: readonly string[] }): { key: string; write: Pick<ApiKeyRow, 'id' | 'name' | 'hash' | 'scopes'> } {
    if (typeof input.name !== 'string' || input.name.length < 1 || input.name.length > 128 || [...input.name].some((c) => c.charCodeAt(0) < 32)) {
      throw new KairosError('API_KEY_INVALID', `name: must be 1–128 characters without control characters, got ${describeValue(input.name)}`, { details: { field: 'name' } });
    }
    assertScopes(input.scopes);
    const id = randomBytes(6).toString('hex');
    const key = `kairos_${id}_${randomBytes(32).toString('base64url')}`;
    return { key, write: { id, name: input.name, hash: sha256Hex(key), scopes: JSON.stringify(input.scopes) } };
  }
}
