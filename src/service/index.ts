/** `kairos/service`: service mode for embedding — the server, the key store, metrics. Re-exports only. */
import '../stores.js';

export { startService, type ServeOptions, type RunningService } from './serve.js';
export { buildServer, apiRoutes, DEFAULT_BODY_LIMIT_BYTES, type ServerOptions, type ServerPlugin, type PluginContext, type ApiRoute } from './build-server.js';
export { ApiKeys, SCOPES, hasScope, type Scope, type ApiKeyInfo, type Principal } from './api-keys.js';
export { authenticate, bearerKey } from './auth.js';
export { ServiceMetrics } from './metrics.js';
export { QueueTargets, DEFAULT_TARGET_CONCURRENCY } from './queue-targets.js';
