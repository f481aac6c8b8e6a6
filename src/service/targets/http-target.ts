/**
 * Delivers a job to an HTTP webhook: a signed JSON POST (Standard Webhooks) through one keep-alive undici Pool per
 * origin, its connections pinned by the SSRF guard's lookup. Redirects are not followed. The status decides the outcome.
 */
import { Pool } from 'undici';
import { isKairosError } from '../../core/errors.js';
import { abortMessage, failure, isAborted, messageIdOf, type DeliveryJob, type DeliveryOutcome, type DeliveryRecord } from './delivery.js';
import type { SsrfGuard } from './ssrf.js';
import { parseWebhookUrl, TARGET_DEFAULTS, type HttpTargetSpec } from './target-spec.js';
import { signWebhook } from './webhook-signature.js';

/** Options of an {@link HttpTarget}. */
export interface HttpTargetOptions {
  guard: SsrfGuard;
  /** The longest Retry-After honoured, ms; a longer one is cut to it. Default 1 hour. */
  maxRetryAfterMs?: number;
  /** Bytes of the response body kept in the attempt record. Default 1024. */
  excerptBytes?: number;
  /** Connections per origin at most. Default 256. */
  maxConnectionsPerOrigin?: number;
  /** How long an idle keep-alive connection is kept, ms. Default 30000. */
  keepAliveTimeoutMs?: number;
  /** The clock of `webhook-timestamp` and of Retry-After dates, epoch ms. Default Date.now. */
  now?: () => number;
}

/** Response headers kept in the attempt record, besides any whose name mentions a request, correlation or trace id. */
const KEPT_HEADERS = new Set(['content-type', 'content-length', 'retry-after', 'location', 'date', 'server']);
const ID_HEADER = /(request|correlation|trace)-?id|cf-ray/i;
/** Body bytes read to keep a connection reusable; beyond this the body is dropped with its connection. */
const MAX_BODY_DRAIN = 64 * 1024;

/** Retry-After in ms (delay-seconds or an HTTP date), capped; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number, maxMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (!/[A-Za-z]/.test(text)) return null; // Date.parse reads '-1' as a year; an HTTP date has a weekday and GMT
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, maxMs);
}

function keptHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || !(KEPT_HEADERS.has(name) || ID_HEADER.test(name))) continue;
    out[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, 256);
  }
  return out;
}

/** POSTs jobs to webhooks; one instance per process, closed with close(). */
export class HttpTarget {
  private readonly pools = new Map<string, Pool>();
  private readonly guard: SsrfGuard;
  private readonly maxRetryAfterMs: number;
  private readonly excerptBytes: number;
  private readonly maxConnections: number;
  private readonly keepAliveTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: HttpTargetOptions) {
    this.guard = options.guard;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
    this.excerptBytes = options.excerptBytes ?? 1024;
    this.maxConnections = options.maxConnectionsPerOrigin ?? 256;
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The keep-alive pool of an origin (and connect timeout), made on first use and reused. */
  private poolFor(origin: string, connectTimeoutMs: number): Pool {
    const key = `${origin} ${connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.maxConnections,
        keepAliveTimeout: this.keepAliveTimeoutMs,
        connect: { timeout: connectTimeoutMs, lookup: this.guard.lookup },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private readonly urls = new Map<string, URL>();

  /** The parsed URL of a spec, kept (URLs are few; parsing one per delivery is measurable). */
  private urlOf(raw: string): URL {
    let url = this.urls.get(raw);
    if (url === undefined) {
      url = parseWebhookUrl(raw);
      if (this.urls.size >= 10_000) this.urls.clear();
      this.urls.set(raw, url);
    }
    return url;
  }

  /** Delivers one job; never throws (every failure is an outcome). */
  async deliver(spec: HttpTargetSpec, job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const started = performance.now();
    const messageId = messageIdOf(job);
    const base = (): DeliveryRecord => ({ target: 'http', messageId, durationMs: Math.round(performance.now() - started) });
    if (isAborted(signal)) return failure(base(), 'ABORTED', abortMessage(signal!));
    let url: URL;
    try {
      url = this.urlOf(spec.url);
      // Checked at every delivery, not only when the queue was created: DNS may have changed since. (A pass is kept
      // a few seconds; every new connection is checked afresh by the guard's lookup.)
      await this.guard.checkRecent(url.hostname);
    } catch (error) {
      // A host that does not resolve now may resolve later: retried. A refused address or a bad URL is final.
      if (isKairosError(error) && error.details.unresolved === true) return failure(base(), 'DNS_FAILED', error.message);
      const code = isKairosError(error) ? error.code : 'TARGET_REFUSED';
      return failure(base(), code, (error as Error).message, { final: true });
    }
    const body = JSON.stringify(job.payload ?? null);
    const timestamp = Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      ...spec.headers,
      'content-type': 'application/json',
      'user-agent': 'Kairos-Webhooks/1',
      'webhook-id': messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(spec.secrets, messageId, timestamp, body),
      'kairos-queue': job.queue,
      'kairos-job-id': String(job.id),
      'kairos-attempt': String(job.attempt),
    };
    const timeoutMs = spec.timeoutMs ?? TARGET_DEFAULTS.timeoutMs;
    const pool = this.poolFor(url.origin, spec.connectTimeoutMs ?? TARGET_DEFAULTS.connectTimeoutMs);
    // undici's own headersTimeout ticks at about one second; this timer holds the response timeout to the millisecond.
    // One controller for both the timeout and the job's signal (cheaper than AbortSignal.any on every request).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        method: 'POST', path: `${url.pathname}${url.search}`, headers, body, headersTimeout: timeoutMs + 1_000, bodyTimeout: timeoutMs,
        signal: controller.signal,
      });
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      if (isAborted(signal)) return failure(base(), 'ABORTED', abortMessage(signal!));
      if (timedOut) return failure(base(), 'RESPONSE_TIMEOUT', abortMessage(controller.signal));
      const e = error as { code?: unknown; message?: string };
      return failure(base(), typeof e.code === 'string' ? e.code : 'NETWORK_ERROR', e.message ?? String(error));
    } finally {
      clearTimeout(timer);
    }
    // The job's signal still aborts the body read (a receiver that sends headers, then trickles).
    const excerpt = await this.readExcerpt(response.body);
    signal?.removeEventListener('abort', onAbort);
    const record: DeliveryRecord = { ...base(), status: response.statusCode, headers: keptHeaders(response.headers), excerpt };
    return this.judge(record);
  }

  /** The outcome of a response: 2xx completed, 410 disables, 429/503 honour Retry-After, the rest retry. */
  private judge(record: DeliveryRecord): DeliveryOutcome {
    const status = record.status ?? 0;
    if (status >= 200 && status < 300) return { ok: true, record };
    if (status === 410) return failure(record, 'TARGET_DISABLED', 'the receiver answered 410 Gone', { disable: 'receiver answered 410 Gone' });
    const message = status >= 300 && status < 400
      ? `the receiver answered ${status} (redirects are not followed${record.headers?.location === undefined ? '' : `; location ${record.headers.location}`})`
      : `the receiver answered ${status}`;
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfter(record.headers?.['retry-after'], this.now(), this.maxRetryAfterMs);
      if (retryAfterMs !== null) return failure(record, 'TARGET_FAILED', `${message}; Retry-After ${retryAfterMs} ms`, { retryAfterMs });
    }
    return failure(record, 'TARGET_FAILED', message);
  }

  /** The first excerptBytes of a body as text; drains small bodies so the connection is kept, drops big ones. */
  private async readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
    const chunks: Buffer[] = [];
    let kept = 0;
    let read = 0;
    try {
      for await (const chunk of body) {
        if (kept < this.excerptBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        read += chunk.length;
        if (read > MAX_BODY_DRAIN) {
          body.destroy();
          break;
        }
      }
    } catch {
      // A body that times out or breaks after the status line: the status still decides; keep what arrived.
    }
    return Buffer.concat(chunks).subarray(0, this.excerptBytes).toString('utf8');
  }

  /** Closes every pool and its connections at once. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    // destroy, not close: close() would wait for a hanging receiver; running deliveries were aborted or ended before.
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
