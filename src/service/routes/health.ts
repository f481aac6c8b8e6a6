/** /healthz (the process answers), /readyz (store reachable, migrations applied, workers started) and /metrics. */
import { Type } from 'typebox';
import { AUTH_ERRORS } from '../schemas/common.js';
import type { RouteModule } from './context.js';

const Readiness = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Object({ store: Type.Boolean(), migrations: Type.Boolean(), workers: Type.Boolean() }),
  error: Type.Optional(Type.String()),
});

export const healthRoutes: RouteModule = (app, { kairos, workersStarted }) => {
  app.get('/healthz', {
    config: { scope: 'public' },
    schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: Type.Object({ ok: Type.Literal(true) }) } },
  }, async () => ({ ok: true as const }));

  app.get('/readyz', {
    config: { scope: 'public' },
    schema: { tags: ['health'], summary: 'Readiness: store reachable, migrations applied, workers started (503 otherwise)', security: [], response: { 200: Readiness, 503: Readiness } },
  }, async (_request, reply) => {
    const checks = { store: false, migrations: false, workers: workersStarted() };
    let error: string | undefined;
    try {
      await kairos.driver.now();
      const pending = await kairos.driver.migrate({ dryRun: true });
      checks.store = true;
      checks.migrations = pending.pending.length === 0;
    } catch (cause) {
      error = `store: ${(cause as Error).message}`;
    }
    const ready = checks.store && checks.migrations && checks.workers;
    return reply.status(ready ? 200 : 503).send(error === undefined ? { ready, checks } : { ready, checks, error });
  });
};

export const metricsRoutes: RouteModule = (app, { metrics }) => {
  if (metrics === null) return;
  app.get('/metrics', {
    config: { scope: 'jobs:read' },
    schema: { tags: ['health'], summary: 'Prometheus metrics (text format 0.0.4)', response: { 200: Type.String(), ...AUTH_ERRORS } },
  }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.text()));
};
