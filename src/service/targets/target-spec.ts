/**
 * The stored description of a queue's delivery target (an HTTP webhook, a NATS JetStream subject or a RabbitMQ
 * exchange): its TypeBox schema, its type, and validateTargetSpec(), which also runs the SSRF guard on a webhook URL.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { describeValue, KairosError } from '../../core/errors.js';
import { SsrfGuard, type SsrfGuardOptions } from './ssrf.js';

/** Set when a receiver answered 410 Gone: the target delivers nothing until it is updated. */
export const DisabledMarker = Type.Object(
  {
    at: Type.String({ description: 'When the target was disabled, ISO 8601.' }),
    reason: Type.String({ description: 'Why, e.g. "receiver answered 410 Gone".' }),
  },
  { additionalProperties: false },
);

/** A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WebhookSecret = Type.String({ pattern: '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$', description: 'whsec_ followed by base64 of 24–64 bytes' });

export const HttpTargetSpec = Type.Object(
  {
    kind: Type.Literal('http'),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'http: or https: URL the payload is POSTed to.' }),
    secrets: Type.Array(WebhookSecret, {
      minItems: 1,
      maxItems: 2,
      description: 'Signing secrets; during a rotation two, and every request carries a signature for each.',
    }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000, description: 'Response timeout: from sending the request to the response headers (then the same bound for each pause in the body), ms. Default 10000.' })),
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'TCP (and TLS) connect timeout, ms. Default 5000.' })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$' }), Type.String({ maxLength: 1024, pattern: '^[^\\r\\n\\u0000]*$' }), {
      additionalProperties: false,
      description: 'Extra request headers; the webhook-*, content-type, host and content-length headers cannot be set.',
    })),
    disabled: Type.Optional(DisabledMarker),
  },
  { additionalProperties: false },
);

export const NatsTargetSpec = Type.Object(
  {
    kind: Type.Literal('nats'),
    subject: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s*>]+$', description: 'Subject published to; a JetStream stream must capture it.' }),
    servers: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Comma-separated NATS servers. Default nats://127.0.0.1:4222.' })),
    disabled: Type.Optional(DisabledMarker),
  },
  { additionalProperties: false },
);

export const RabbitMqTargetSpec = Type.Object(
  {
    kind: Type.Literal('rabbitmq'),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'amqp: or amqps: URL. Default amqp://guest:guest@127.0.0.1:5672.' })),
    exchange: Type.String({ maxLength: 255, description: 'Exchange published to ("" is the default exchange).' }),
    routingKey: Type.String({ maxLength: 255, description: 'Routing key of every message.' }),
    disabled: Type.Optional(DisabledMarker),
  },
  { additionalProperties: false },
);

/** Where a queue's jobs are delivered. */
export const TargetSpec = Type.Union([HttpTargetSpec, NatsTargetSpec, RabbitMqTargetSpec]);

export type HttpTargetSpec = Static<typeof HttpTargetSpec>;
export type NatsTargetSpec = Static<typeof NatsTargetSpec>;
export type RabbitMqTargetSpec = Static<typeof RabbitMqTargetSpec>;
export type TargetSpec = Static<typeof TargetSpec>;

/** The defaults a spec leaves out. */
export const TARGET_DEFAULTS = {
  timeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  natsServers: 'nats://127.0.0.1:4222',
  rabbitMqUrl: 'amqp://guest:guest@127.0.0.1:5672',
} as const;

/** Request headers a spec may not set: the signature, the body's framing and the connection's own. */
const RESERVED_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'content-length', 'host', 'connection', 'transfer-encoding']);

function invalid(field: string, what: string): KairosError {
  return new KairosError('TARGET_INVALID', `${field}: ${what}`, { details: { field } });
}

const SCHEMAS = { http: HttpTargetSpec, nats: NatsTargetSpec, rabbitmq: RabbitMqTargetSpec } as const;

/** Checks the shape against the schema of its kind; throws TARGET_INVALID naming the first bad field. */
function checkShape(spec: unknown): TargetSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalid('target', `must be an object, got ${describeValue(spec)}`);
  const kind = (spec as { kind?: unknown }).kind;
  if (kind !== 'http' && kind !== 'nats' && kind !== 'rabbitmq') throw invalid('target.kind', `must be "http", "nats" or "rabbitmq", got ${describeValue(kind)}`);
  const schema = SCHEMAS[kind];
  if (Value.Check(schema, spec)) return spec as TargetSpec;
  const first = Value.Errors(schema, spec)[0];
  const params = (first?.params ?? {}) as { requiredProperties?: string[]; additionalProperties?: string[] };
  const missing = first?.keyword === 'required' ? params.requiredProperties?.[0] : undefined;
  const extra = first?.keyword === 'additionalProperties' ? params.additionalProperties?.[0] : undefined;
  const leaf = missing ?? extra;
  const path = `${first?.instancePath ?? ''}${leaf === undefined ? '' : `/${leaf}`}`;
  const field = `target${path.split('/').filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('')}`;
  const what = missing !== undefined ? 'is required'
    : extra !== undefined || first?.keyword === 'boolean' ? 'is not a known field (or not a valid header name)'
      : (first?.message ?? 'is invalid');
  throw invalid(field, what);
}

/** Options of {@link validateTargetSpec}. */
export interface ValidateTargetOptions extends SsrfGuardOptions {
  /** A guard to use instead of one built from allowHosts/resolve. */
  guard?: SsrfGuard;
}

/**
 * Validates a target description given by a user and returns it typed: the shape (TARGET_INVALID naming the field),
 * then for a webhook the URL (http/https, no credentials) and its host through the SSRF guard (TARGET_REFUSED), so a
 * queue is never created pointing at a refused address. Broker targets name operator infrastructure and are not
 * guarded. Async because the host is resolved.
 */
export async function validateTargetSpec(spec: unknown, options: ValidateTargetOptions = {}): Promise<TargetSpec> {
  const checked = checkShape(spec);
  if (checked.kind === 'http') {
    const url = parseWebhookUrl(checked.url);
    for (const name of Object.keys(checked.headers ?? {})) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) throw invalid(`target.headers.${name}`, 'is set by Kairos and cannot be overridden');
    }
    for (const [i, secret] of checked.secrets.entries()) {
      const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
      if (bytes < 24 || bytes > 64) throw invalid(`target.secrets[${i}]`, `must hold 24 to 64 bytes of key, got ${bytes}`);
    }
    await (options.guard ?? new SsrfGuard(options)).check(url.hostname);
  } else if (checked.kind === 'nats') {
    for (const server of (checked.servers ?? TARGET_DEFAULTS.natsServers).split(',')) {
      if (!/^(nats|tls|ws|wss):\/\/[^\s/]+$|^[^\s:/]+:\d+$/.test(server.trim())) throw invalid('target.servers', `${describeValue(server)} is not a NATS server URL such as nats://127.0.0.1:4222`);
    }
  } else {
    const raw = checked.url ?? TARGET_DEFAULTS.rabbitMqUrl;
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'amqp:' && url.protocol !== 'amqps:')) throw invalid('target.url', `${describeValue(raw)} is not an amqp: or amqps: URL`);
  }
  return checked;
}

/** Parses a webhook URL; throws TARGET_INVALID unless it is http(s) without credentials. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('target.url', `${describeValue(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('target.url', `scheme ${describeValue(url.protocol)} is not http: or https:`);
  if (url.username !== '' || url.password !== '') throw invalid('target.url', 'must not carry credentials; use target.headers');
  return url;
}
