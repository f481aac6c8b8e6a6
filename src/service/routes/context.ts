/** What every route module gets: the instance, the key store, metrics, and the typed Fastify instance it adds routes to. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Kairos } from '../../engine/kairos.js';
import type { ApiKeys } from '../api-keys.js';
import type { ServiceMetrics } from '../metrics.js';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface RouteContext {
  kairos: Kairos;
  keys: ApiKeys;
  metrics: ServiceMetrics | null;
  /** Checks a queue's target before it is stored (the targets module's validation); throws a KairosError naming the field. */
  validateTarget: (target: Record<string, unknown>) => Promise<void> | void;
  /** Called after a queue was created, changed or removed through the API, so this process acts on it at once. */
  onQueueChanged: (name: string) => Promise<void> | void;
  /** Readiness: whether the workers of this process have started. */
  workersStarted: () => boolean;
}

/** One resource's routes. Adding a resource is one file exporting one of these and one line in routes/index.ts. */
export type RouteModule = (app: Api, ctx: RouteContext) => void;
