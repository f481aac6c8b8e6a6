/**
 * A real Fastify server on 127.0.0.1 with the dashboard plugin, for the dashboard tests and the screenshot script.
 * Keys come from a small in-memory key store (hashed, as the server's is); when `kairos serve` mounts the plugin
 * with its own key store, the tests keep this one so they depend on the plugin's contract only.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kairos } from '../../src/engine/kairos.js';
import { registerDashboard, type DashboardKeyInfo, type DashboardKeyStore, type DashboardScope } from '../../src/service/dashboard/index.js';

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Keys by hash; secrets exist only in the return value of create(). */
export class MemoryKeyStore implements DashboardKeyStore {
  private readonly byHash = new Map<string, DashboardKeyInfo>();

  async create(p: { name: string; scopes: DashboardScope[] }): Promise<{ key: DashboardKeyInfo; secret: string }> {
    const id = `key_${randomBytes(4).toString('hex')}`;
    const secret = `kairos_${randomBytes(24).toString('base64url')}`;
    const key = { id, name: p.name, scopes: [...p.scopes], createdAt: new Date().toISOString(), lastUsedAt: null };
    this.byHash.set(hash(secret), key);
    return { key, secret };
  }

  async list(): Promise<DashboardKeyInfo[]> {
    return [...this.byHash.values()];
  }

  async revoke(id: string): Promise<boolean> {
    for (const [h, k] of this.byHash) if (k.id === id) return this.byHash.delete(h);
    return false;
  }

  async authenticate(secret: string): Promise<{ id: string; name: string; scopes: string[] } | null> {
    const k = this.byHash.get(hash(secret));
    return k === undefined ? null : { id: k.id, name: k.name, scopes: k.scopes };
  }
}

export interface DashboardServer {
  app: FastifyInstance;
  url: string;
  keys: MemoryKeyStore;
  secrets: Record<'admin' | 'reader' | 'writer', string>;
  close(): Promise<void>;
}

export async function startDashboardServer(kairos: Kairos, options: { pollIntervalMs?: number; port?: number } = {}): Promise<DashboardServer> {
  const keys = new MemoryKeyStore();
  const app = Fastify({ logger: false });
  await registerDashboard(app, { kairos, authenticate: (k) => keys.authenticate(k), keys, pollIntervalMs: options.pollIntervalMs ?? 500 });
  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const secrets = {
    admin: (await keys.create({ name: 'admin', scopes: ['admin'] })).secret,
    reader: (await keys.create({ name: 'reader', scopes: ['jobs:read'] })).secret,
    writer: (await keys.create({ name: 'writer', scopes: ['jobs:read', 'jobs:write'] })).secret,
  };
  return { app, url, keys, secrets, close: () => app.close() };
}
