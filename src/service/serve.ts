/**
 * startService(): service mode in one call — open the store, make the first admin key on an empty key table, deliver
 * every queue that has a target, start the engine, listen. close() shuts down in order: stop accepting requests
 * (in-flight ones finish), stop following queue changes, let running deliveries finish within the bound, release
 * the store and the target connections.
 */
import pino from 'pino';
import type { KairosConfig, Logger } from '../core/config.js';
import { Kairos } from '../engine/kairos.js';
import type { Driver } from '../driver/driver.js';
import { ApiKeys } from './api-keys.js';
import { buildServer, type ServerPlugin } from './build-server.js';
import { dashboardPlugin } from './dashboard/server-plugin.js';
import { ServiceMetrics } from './metrics.js';
import { QueueTargets } from './queue-targets.js';
import { Deliverer, validateTargetSpec, type DeliveryJob, type DeliveryOutcome, type TargetSpec } from './targets/index.js';
import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  /** Store URL or driver (default KAIROS_DATABASE_URL, then sqlite:./kairos.db). */
  store?: string | Driver;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** JSON logs (default pino to stdout at KAIROS_LOG_LEVEL or info). */
  logger?: pino.Logger;
  bodyLimitBytes?: number;
  /** How long shutdown waits for running deliveries (default the engine's shutdownTimeoutMs, 30 s). */
  shutdownTimeoutMs?: number;
  /** Webhook hosts let through the SSRF guard although private or loopback (local development, tests). */
  allowHosts?: readonly string[];
  /** Engine settings (leaseMs, pollIntervalMs, …). */
  config?: KairosConfig;
  /** Plugins of the server; default the dashboard at /dashboard (docs/dashboard.md). Pass [] for none. */
  plugins?: readonly ServerPlugin[];
  /** Where the first admin key is shown, once (default stderr). */
  announce?: (text: string) => void;
  /** How often the stored queues are read again when the store has no notifications (default 5 s). */
  queuePollMs?: number;
}

export interface RunningService {
  kairos: Kairos;
  app: FastifyInstance;
  keys: ApiKeys;
  /** `http://host:port`. */
  url: string;
  /** The first admin key when this start created it (shown once), else null. */
  firstKey: string | null;
  /** The queues this server delivers to their targets now, with their concurrency. */
  deliveredQueues(): ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** A Deliverer that counts webhook status classes. */
class MeteredDeliverer extends Deliverer {
  metrics: ServiceMetrics | null = null;

  override async deliver(spec: TargetSpec, job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const outcome = await super.deliver(spec, job, signal);
    if (spec.kind === 'http') this.metrics?.webhookStatus(job.queue, outcome.record.status ?? null);
    return outcome;
  }
}

function defaultLogger(): pino.Logger {
  return pino({ level: process.env.KAIROS_LOG_LEVEL ?? 'info', base: { service: 'kairos' } });
}

export async function startService(options: ServeOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? defaultLogger();
  const kairos = await Kairos.open({ ...options.config, store: options.store, logger: logger.child({ component: 'engine' }) as unknown as Logger });
  const deliverer = new MeteredDeliverer({ allowHosts: options.allowHosts });
  const metrics = new ServiceMetrics(kairos);
  deliverer.metrics = metrics;
  const keys = new ApiKeys(kairos.driver);
  const targets = new QueueTargets(kairos, deliverer, { pollMs: options.queuePollMs, drainTimeoutMs: options.shutdownTimeoutMs, logger: logger.child({ component: 'targets' }) as unknown as Logger });
  let workersStarted = false;
  let app: FastifyInstance | null = null;
  try {
    const first = await keys.createFirstAdmin();
    if (first !== null) {
      (options.announce ?? ((text) => process.stderr.write(text)))(
        `\nKairos created the first API key (scope admin, id ${first.info.id}). It is shown this once; keep it now:\n\n  ${first.key}\n\n` +
          'Send it as "Authorization: Bearer <key>". Make more with `kairos keys create` or POST /v1/keys.\n\n',
      );
    }
    followJobs(kairos, logger);
    await targets.start();
    app = await buildServer({
      kairos, keys, metrics, logger: logger.child({ component: 'http' }), bodyLimitBytes: options.bodyLimitBytes, plugins: options.plugins ?? [dashboardPlugin()],
      validateTarget: async (target) => void (await validateTargetSpec(target, { allowHosts: options.allowHosts })),
      onQueueChanged: () => targets.sync(),
      workersStarted: () => workersStarted,
    });
    await kairos.start();
    workersStarted = true;
    const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8080 });
    logger.info({ url, store: kairos.driver.name, queues: [...targets.queues.keys()] }, 'kairos serve is listening');
    const server = app;
    let closing: Promise<void> | null = null;
    return {
      kairos, app: server, keys, url, firstKey: first?.key ?? null, deliveredQueues: () => new Map(targets.queues),
      close: () => (closing ??= (async () => {
        await server.close();
        await targets.stop();
        await kairos.close({ timeoutMs: options.shutdownTimeoutMs });
        await deliverer.close();
        metrics.close();
      })()),
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await targets.stop().catch(() => undefined);
    await kairos.close().catch(() => undefined);
    await deliverer.close().catch(() => undefined);
    metrics.close();
    throw error;
  }
}

/** Log lines of jobs with their id and attempt: failures at warn, retries at info, completions at debug. */
function followJobs(kairos: Kairos, logger: pino.Logger): void {
  const log = logger.child({ component: 'jobs' });
  kairos.on('job:failed', (e) => log.warn({ jobId: e.id, queue: e.queue, attempt: e.attempt, error: e.error.message }, 'job failed'));
  kairos.on('job:retrying', (e) => log.info({ jobId: e.id, queue: e.queue, attempt: e.attempt, error: e.error.message, runAt: e.runAt }, 'job attempt failed; retrying'));
  if (log.isLevelEnabled('debug')) kairos.on('job:completed', (e) => log.debug({ jobId: e.id, queue: e.queue, attempt: e.attempt, durationMs: e.durationMs }, 'job completed'));
}
