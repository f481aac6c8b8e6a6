/**
 * The one entry point of delivery: Deliverer.deliver(spec, job, signal) sends a job to its queue's target (HTTP
 * webhook, NATS JetStream, RabbitMQ) and returns how it went; targetHandler() turns that into a Kairos handler.
 */
import { failure, messageIdOf, type DeliveryJob, type DeliveryOutcome } from './delivery.js';
import { HttpTarget, type HttpTargetOptions } from './http-target.js';
import { NatsTarget, type NatsTargetOptions } from './nats-target.js';
import { RabbitMqTarget, type RabbitMqTargetOptions } from './rabbitmq-target.js';
import { SsrfGuard, type SsrfGuardOptions } from './ssrf.js';
import type { TargetSpec } from './target-spec.js';

/** Options of a {@link Deliverer}. */
export interface DelivererOptions extends SsrfGuardOptions {
  /** The SSRF guard of webhooks; by default one built from allowHosts and resolve. */
  guard?: SsrfGuard;
  http?: Omit<HttpTargetOptions, 'guard'>;
  nats?: NatsTargetOptions;
  rabbitmq?: RabbitMqTargetOptions;
}

/** Delivers jobs to targets; holds the connection pools of every target kind. One per process. */
export class Deliverer {
  readonly guard: SsrfGuard;
  private readonly http: HttpTarget;
  private readonly nats: NatsTarget;
  private readonly rabbitmq: RabbitMqTarget;

  constructor(options: DelivererOptions = {}) {
    this.guard = options.guard ?? new SsrfGuard(options);
    this.http = new HttpTarget({ ...options.http, guard: this.guard });
    this.nats = new NatsTarget(options.nats);
    this.rabbitmq = new RabbitMqTarget(options.rabbitmq);
  }

  /** Delivers `job` to `spec`; never throws. The signal aborts the delivery (job timeout, cancel, shutdown). */
  deliver(spec: TargetSpec, job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryOutcome> {
    if (spec.disabled !== undefined) {
      const record = { target: spec.kind, messageId: messageIdOf(job), durationMs: 0 };
      return Promise.resolve(failure(record, 'TARGET_DISABLED', `the target was disabled at ${spec.disabled.at}: ${spec.disabled.reason}`, { final: true }));
    }
    switch (spec.kind) {
      case 'http':
        return this.http.deliver(spec, job, signal);
      case 'nats':
        return this.nats.deliver(spec, job, signal);
      case 'rabbitmq':
        return this.rabbitmq.deliver(spec, job, signal);
    }
  }

  /** Closes every pool and broker connection. */
  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.nats.close(), this.rabbitmq.close()]);
  }
}

export { targetHandler, type TargetHandlerOptions } from './target-handler.js';
