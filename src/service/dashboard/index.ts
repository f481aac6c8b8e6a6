/** The web dashboard: a Fastify plugin for `kairos serve` (docs/dashboard.md). */
export { registerDashboard, SESSION_COOKIE, CSRF_HEADER } from './plugin.js';
export type { DashboardOptions, DashboardKeyStore, DashboardKeyInfo, DashboardScope } from './types.js';
export { SessionStore, type SessionLimits } from './sessions.js';
export { dashboardPlugin, keyStoreOf } from './server-plugin.js';
