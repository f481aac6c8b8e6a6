/**
 * The one error type Kairos throws, with a stable `code` from {@link ERROR_CATALOG}.
 * docs/errors.md lists the same codes; test/core/docs-in-step.test.ts keeps the two in step.
 */

/** Every error code Kairos can raise, with the one-line meaning shown in docs/errors.md. */
export const ERROR_CATALOG = {
  CONFIG_INVALID: 'A configuration field is missing, of the wrong type or out of bounds; the message names the field.',
  STORE_URL_INVALID: 'The store URL cannot be understood (unknown scheme or malformed).',
  JOB_OPTION_INVALID: 'An enqueue option is unknown, of the wrong type or out of bounds; the message names the option.',
  PAYLOAD_INVALID: 'The payload cannot be stored as JSON exactly: undefined, a function or symbol anywhere in it, NaN or ±Infinity, BigInt, or a cycle; the message names the path.',
  PAYLOAD_REJECTED: 'The queue\'s schema refused the payload; nothing was stored. The message names the path and the schema\'s reason.',
  PROGRESS_INVALID: 'ctx.progress() got a value that is not a finite number or a JSON object, or whose JSON is over 4 KiB.',
  PAYLOAD_TOO_LARGE: 'The payload, serialized as JSON, is larger than the configured limit.',
  QUEUE_NAME_INVALID: 'A queue name is empty, too long or has characters outside [A-Za-z0-9_.:-].',
  DUPLICATE_KEY: 'A job with the same queue and key is already pending, running or completed, and the dedupe policy is reject.',
  ID_OUT_OF_RANGE: 'A job id is above 2^53 − 2^20 (or below 1), beyond what a JavaScript number holds exactly; the store refuses to create it and no id is rounded.',
  JOB_NOT_FOUND: 'No job has that id (it never existed or retention pruned it).',
  JOB_STATE_CONFLICT: 'The job is not in a state that allows the operation (for example replay of a running job).',
  WAIT_TIMEOUT: 'waitFor gave up: the job did not reach a final state within timeoutMs (it goes on; wait again or cancel it).',
  FILTER_INVALID: 'A job filter field (queue, state, tag, key prefix, time range) is of the wrong type or out of bounds; the message names it.',
  QUEUE_NOT_FOUND: 'No queue has stored settings under that name (a remove found none).',
  QUEUE_OPTION_INVALID: 'A queue setting is unknown, of the wrong type or out of bounds; the message names it.',
  QUEUE_CONFLICT: 'The queue changed since the version the caller read (a compare-and-set update lost).',
  QUEUE_FULL: 'An enqueue would take a queue past its capacity (jobs pending or running); nothing of it was stored.',
  LIMITER_OPTION_INVALID: 'A limiter definition is malformed (concurrency, lanes, reserved slots, rate); the message names the field.',
  LIMITER_NOT_FOUND: 'No limiter has that id.',
  HANDLER_EXISTS: 'A handler is already registered for that queue on this instance.',
  HANDLER_NOT_FOUND: 'No handler is registered for the queue named.',
  LEASE_LOST: 'A worker tried to write a job it no longer owns (its lease expired or the job was cancelled).',
  NOT_STARTED: 'The operation needs a started instance.',
  CLOSED: 'The instance was closed; open a new one.',
  CAPABILITY_MISSING: 'The store driver in use does not support the operation.',
  STORE_BUSY: 'The store could not take the write now (a lock wait ran out, or a shared connection is inside the caller\'s transaction); the engine retries it.',
  STORE_ERROR: 'The store failed in a way Kairos could not translate; the cause holds the native error.',
  MIGRATION_FAILED: 'A schema migration failed; nothing of it was applied.',
  SCHEDULE_RULE_INVALID: 'A schedule rule cannot be parsed (bad cron field, unknown time zone, bad interval).',
  SCHEDULE_RULE_IMPOSSIBLE: 'A schedule rule can never fire (for example 30 February).',
  SCHEDULE_NOT_FOUND: 'No schedule has that id.',
  SCHEDULE_OPTION_INVALID: 'A schedule option is unknown, of the wrong type or out of bounds; the message names it.',
  CALENDAR_NOT_FOUND: 'No calendar has that name (a schedule names one that was never defined, or a remove found none).',
  CALENDAR_IN_USE: 'A calendar cannot be removed while schedules name it; the message lists them.',
  CALENDAR_INVALID: 'A calendar definition is malformed (a date that is not YYYY-MM-DD, an empty name).',
  API_KEY_INVALID: 'An API key definition is malformed (an empty or too long name, an unknown scope).',
  API_KEY_NOT_FOUND: 'No API key has that id (a revoke found none, or it was already revoked).',
  UNAUTHENTICATED: 'The HTTP request has no API key, or one that is unknown or revoked (HTTP 401).',
  REQUEST_INVALID: 'An HTTP request does not match its schema (a missing, unknown or mistyped field); the message names the field (HTTP 400).',
  FORBIDDEN: 'The API key of the HTTP request lacks the scope the route needs (HTTP 403).',
  TARGET_INVALID: 'A delivery target description is malformed (bad URL or scheme, missing subject, a secret that is not whsec_ followed by base64); the message names the field.',
  TARGET_REFUSED: 'A target host is, or resolves to, an address the SSRF guard refuses (loopback, private, link-local, CGNAT, multicast, metadata, …) and is not on the allowlist; nothing was sent.',
  TARGET_FAILED: 'A delivery attempt failed: the receiver answered with a status other than 2xx, a timeout passed, the connection failed, or the broker did not confirm; details.record holds what came back.',
  TARGET_DISABLED: 'The receiver answered 410 Gone: the target is disabled and the job failed for good; a disabled target delivers nothing until it is updated.',
} as const;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Fields that help a caller act on an error without parsing the message. */
export interface KairosErrorDetails {
  /** The option, config field or argument at fault, in dotted form (`backoff.baseMs`). */
  readonly field?: string;
  readonly [key: string]: unknown;
}

/** The base error of Kairos. `code` is stable across versions; `message` is for people. */
export class KairosError extends Error {
  override readonly name = 'KairosError';
  readonly code: ErrorCode;
  readonly details: KairosErrorDetails;

  constructor(code: ErrorCode, message: string, options: { details?: KairosErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `error` is a KairosError, optionally of one code. */
export function isKairosError(error: unknown, code?: ErrorCode): error is KairosError {
  return error instanceof KairosError && (code === undefined || error.code === code);
}

/**
 * A short, bounded preview of a caller's value for an error message: JSON cut to about `max` characters, with the
 * full length when cut (`"aaaa…" (1048576 characters)`), so a huge input never makes a huge message.
 */
export function describeValue(value: unknown, max = 64): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return `${capped(String(value), max)}n (BigInt)`;
    case 'number':
      return String(value);
    case 'string':
      return value.length <= max ? JSON.stringify(value) : `${quotedPrefix(value, max)}…" (${value.length} characters)`;
    default:
      break;
  }
  if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid Date';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return 'a value that cannot be shown as JSON';
  }
  return json === undefined ? 'a value with no JSON form' : capped(json, max);
}

function capped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** The JSON string literal of the longest prefix of `text` that escapes to at most `max` characters, without its closing quote. */
function quotedPrefix(text: string, max: number): string {
  let n = max;
  let quoted = JSON.stringify(text.slice(0, n));
  // Escapes (\n, \u0000) can make the literal longer than the prefix; shorten until it fits.
  while (quoted.length > max + 2 && n > 1) {
    n = Math.floor(n / 2);
    quoted = JSON.stringify(text.slice(0, n));
  }
  return quoted.slice(0, -1);
}
