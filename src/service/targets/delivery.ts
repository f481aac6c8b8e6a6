/** The shapes shared by every target: the job being delivered, what an attempt records, and how a delivery ended. */

/** The job as a target sees it. */
export interface DeliveryJob {
  id: number;
  queue: string;
  /** The idempotency key sent as webhook-id / Nats-Msg-Id / message_id; `job_<id>` when null (see {@link messageIdOf}). */
  key: string | null;
  attempt: number;
  /** The job's payload, parsed JSON; sent as the JSON body. */
  payload: unknown;
}

/** What one delivery attempt returned, stored with the attempt (the job's result, or the error's `details.record`). */
export interface DeliveryRecord {
  target: 'http' | 'nats' | 'rabbitmq';
  /** The message id sent (webhook-id, Nats-Msg-Id, message_id). */
  messageId: string;
  durationMs: number;
  /** HTTP: the response status. */
  status?: number;
  /** HTTP: selected response headers (content-type, retry-after, location, request and trace ids), lower-case names. */
  headers?: Record<string, string>;
  /** HTTP: the first bytes of the response body (at most 1 KiB by default), as UTF-8 text. */
  excerpt?: string;
  /** Brokers: what acknowledged the message (JetStream stream and sequence; RabbitMQ confirm). */
  ack?: Record<string, unknown>;
  /** Why the attempt failed, when it did: an error code (TARGET_REFUSED, UND_ERR_CONNECT_TIMEOUT, ECONNREFUSED, …) and message. */
  error?: { code: string; message: string };
}

/** How a delivery ended. */
export type DeliveryOutcome =
  | { ok: true; record: DeliveryRecord }
  | {
      ok: false;
      record: DeliveryRecord;
      /** The receiver asked to retry after this long (Retry-After on 429/503), already capped. */
      retryAfterMs?: number;
      /** The receiver said the endpoint is gone (410): disable the target, fail the job for good. */
      disable?: string;
      /** Retrying cannot help (the host is refused, the target is disabled): fail the job now, without disabling. */
      final?: boolean;
      error: { code: string; message: string };
    };

/**
 * The idempotency key a target sends: the job's key, or `job_<id>` for a job without one. A key with characters
 * outside printable ASCII (or a space) cannot be an HTTP header value, so it is sent percent-encoded, the same for
 * every target.
 */
export function messageIdOf(job: DeliveryJob): string {
  if (job.key === null) return `job_${job.id}`;
  return /^[\x21-\x7e]+$/.test(job.key) ? job.key : encodeURIComponent(job.key);
}

/** A failed outcome from an error code and message, with the record's error set to the same. */
export function failure(record: Omit<DeliveryRecord, 'error'>, code: string, message: string, extra: { retryAfterMs?: number; disable?: string; final?: boolean } = {}): DeliveryOutcome {
  const error = { code, message };
  return { ok: false, record: { ...record, error }, error, ...extra };
}

/** An AbortSignal's reason as an error message. */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'the delivery was aborted';
}

/** True once `signal` has fired (a function, so a check after an await is not narrowed away by the one before). */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
