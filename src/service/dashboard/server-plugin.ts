/**
 * The dashboard as a plugin of buildServer()/startService(): the server's key store behind sign-in, the API keys
 * page and the revocation check of sessions.
 */
import { isKairosError } from '../../core/errors.js';
import type { ApiKeys } from '../api-keys.js';
import type { ServerPlugin } from '../build-server.js';
import { registerDashboard } from './plugin.js';
import type { DashboardKeyStore, DashboardOptions } from './types.js';

/** The server's ApiKeys as the dashboard's key store. */
export function keyStoreOf(keys: ApiKeys): DashboardKeyStore & Pick<DashboardOptions, 'authenticate' | 'keyActive'> {
  const live = async () => (await keys.list()).filter((k) => k.revokedAt === null);
  return {
    async authenticate(key) {
      const principal = await keys.verify(key);
      if (principal === null) return null;
      const info = (await live()).find((k) => k.id === principal.id);
      return { id: principal.id, name: info?.name ?? principal.id, scopes: principal.scopes };
    },
    async keyActive(id) {
      return (await live()).some((k) => k.id === id);
    },
    async list() {
      return (await live()).map((k) => ({ id: k.id, name: k.name, scopes: k.scopes, createdAt: k.createdAt }));
    },
    async create(p) {
      const { key, info } = await keys.create(p);
      return { key: { id: info.id, name: info.name, scopes: info.scopes, createdAt: info.createdAt }, secret: key };
    },
    async revoke(id) {
      try {
        await keys.revoke(id);
        return true;
      } catch (error) {
        if (isKairosError(error, 'API_KEY_NOT_FOUND')) return false;
        throw error;
      }
    },
  };
}

/** Mount the dashboard on a server built by buildServer (pass it in `plugins`; startService does by default). */
export function dashboardPlugin(options: Omit<DashboardOptions, 'kairos' | 'authenticate' | 'keys' | 'keyActive'> = {}): ServerPlugin {
  return async (app, ctx) => {
    const store = keyStoreOf(ctx.keys);
    await registerDashboard(app, { ...options, kairos: ctx.kairos, authenticate: store.authenticate, keyActive: store.keyActive, keys: store });
  };
}
