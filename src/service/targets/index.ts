/** Delivery targets of service mode: what the server wires to queues. Re-exports only. */
export { Deliverer, type DelivererOptions } from './deliverer.js';
export { targetHandler, TargetUnrecoverableError, type TargetHandlerOptions } from './target-handler.js';
export { messageIdOf, type DeliveryJob, type DeliveryOutcome, type DeliveryRecord } from './delivery.js';
export { SsrfGuard, type SsrfGuardOptions, type HostResolver, type CheckedHost } from './ssrf.js';
export { blockedReason, embeddedIPv4 } from './ip-ranges.js';
export {
  TargetSpec, HttpTargetSpec, NatsTargetSpec, RabbitMqTargetSpec, DisabledMarker, WebhookSecret, TARGET_DEFAULTS,
  validateTargetSpec, parseWebhookUrl, type ValidateTargetOptions,
} from './target-spec.js';
export { signWebhook } from './webhook-signature.js';
export { parseRetryAfter, type HttpTargetOptions } from './http-target.js';
export type { NatsTargetOptions } from './nats-target.js';
export type { RabbitMqTargetOptions } from './rabbitmq-target.js';
