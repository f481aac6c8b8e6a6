/**
 * Delivers a job to a NATS JetStream subject: publish with `Nats-Msg-Id` = the idempotency key, completed when the
 * stream acknowledges (PubAck). One connection per servers string, reused, closed by close().
 */
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { abortMessage, failure, isAborted, messageIdOf, type DeliveryJob, type DeliveryOutcome, type DeliveryRecord } from './delivery.js';
import { raceAbort } from './race-abort.js';
import { TARGET_DEFAULTS, type NatsTargetSpec } from './target-spec.js';

/** Options of a {@link NatsTarget}. */
export interface NatsTargetOptions {
  /** How long to wait for the stream's PubAck, ms. Default 5000. */
  ackTimeoutMs?: number;
  /** How long to wait for a connection, ms. Default 5000. */
  connectTimeoutMs?: number;
}

/** Publishes jobs to JetStream; one instance per process, closed with close(). */
export class NatsTarget {
  private readonly connections = new Map<string, Promise<NatsConnection>>();
  private readonly ackTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(options: NatsTargetOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  }

  /** The connection to `servers`, opened on first use; forgotten when it fails or closes, so the next call reconnects. */
  private connectionFor(servers: string): Promise<NatsConnection> {
    let pending = this.connections.get(servers);
    if (pending === undefined) {
      pending = connect({ servers: servers.split(',').map((s) => s.trim()), name: 'kairos', timeout: this.connectTimeoutMs });
      this.connections.set(servers, pending);
      const forget = (): void => {
        if (this.connections.get(servers) === pending) this.connections.delete(servers);
      };
      pending.then((nc) => void nc.closed().then(forget, forget), forget);
    }
    return pending;
  }

  /** Publishes one job; never throws (every failure is an outcome). */
  async deliver(spec: NatsTargetSpec, job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const started = performance.now();
    const messageId = messageIdOf(job);
    const base = (): DeliveryRecord => ({ target: 'nats', messageId, durationMs: Math.round(performance.now() - started) });
    if (this.closed) return failure(base(), 'CLOSED', 'the NATS target is closed');
    try {
      const nc = await raceAbort(this.connectionFor(spec.servers ?? TARGET_DEFAULTS.natsServers), signal);
      const h = natsHeaders();
      h.set('Kairos-Queue', job.queue);
      h.set('Kairos-Job-Id', String(job.id));
      h.set('Kairos-Attempt', String(job.attempt));
      const data = Buffer.from(JSON.stringify(job.payload ?? null));
      // msgID sets the Nats-Msg-Id header, by which the stream drops duplicates within its duplicate window.
      const ack = await raceAbort(nc.jetstream().publish(spec.subject, data, { msgID: messageId, headers: h, timeout: this.ackTimeoutMs }), signal);
      return { ok: true, record: { ...base(), ack: { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate } } };
    } catch (error) {
      if (isAborted(signal)) return failure(base(), 'ABORTED', abortMessage(signal!));
      const e = error as { code?: unknown; message?: string };
      // "503 no responders": nothing listens on the subject's JetStream API, i.e. no stream captures it.
      if (e.code === '503') return failure(base(), 'NO_STREAM', `no JetStream stream captures subject "${spec.subject}" (the publish had no responders)`);
      return failure(base(), typeof e.code === 'string' ? `NATS_${e.code}` : 'NATS_ERROR', e.message ?? String(error));
    }
  }

  /** Drains and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (p) => {
      const nc = await p.catch(() => null);
      await nc?.drain().catch(() => nc.close());
    }));
  }
}
