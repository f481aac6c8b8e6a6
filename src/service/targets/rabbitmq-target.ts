/**
 * Delivers a job to a RabbitMQ exchange: a persistent JSON message with `message_id` = the idempotency key, published
 * on a confirm channel and completed when the broker confirms it. Published `mandatory`: a message no queue takes is
 * returned and the attempt fails. One connection and channel per URL, reused, closed by close().
 */
import { connect, type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { abortMessage, failure, isAborted, messageIdOf, type DeliveryJob, type DeliveryOutcome, type DeliveryRecord } from './delivery.js';
import { raceAbort } from './race-abort.js';
import { TARGET_DEFAULTS, type RabbitMqTargetSpec } from './target-spec.js';

/** Options of a {@link RabbitMqTarget}. */
export interface RabbitMqTargetOptions {
  /** How long to wait for the broker's confirm, ms. Default 5000. */
  confirmTimeoutMs?: number;
}

interface Link {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** Publish ids of messages the broker returned as unroutable; read when their confirm arrives (it comes after). */
  returned: Set<string>;
}

let publishSeq = 0;

/** Publishes jobs to RabbitMQ; one instance per process, closed with close(). */
export class RabbitMqTarget {
  private readonly links = new Map<string, Promise<Link>>();
  private readonly confirmTimeoutMs: number;
  private closed = false;

  constructor(options: RabbitMqTargetOptions = {}) {
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 5_000;
  }

  /** The connection and confirm channel for `url`, opened on first use; forgotten when either closes. */
  private linkFor(url: string): Promise<Link> {
    let pending = this.links.get(url);
    if (pending === undefined) {
      pending = this.open(url);
      this.links.set(url, pending);
      pending.catch(() => this.forget(url, pending!));
    }
    return pending;
  }

  private forget(url: string, pending: Promise<Link>): void {
    if (this.links.get(url) === pending) this.links.delete(url);
  }

  private async open(url: string): Promise<Link> {
    const model = await connect(url);
    const channel = await model.createConfirmChannel().catch(async (error: unknown) => {
      await model.close().catch(() => undefined);
      throw error;
    });
    const link: Link = { model, channel, returned: new Set() };
    const self = this.links.get(url);
    const drop = (): void => {
      if (self !== undefined) this.forget(url, self);
      else this.links.delete(url);
      void model.close().catch(() => undefined);
    };
    // A channel error (an exchange that does not exist closes the channel) or a lost connection: start afresh next time.
    model.on('error', () => undefined);
    model.on('close', drop);
    channel.on('error', () => undefined);
    channel.on('close', drop);
    channel.on('return', (message: Message) => {
      const id = (message.properties.headers as Record<string, unknown> | undefined)?.['x-kairos-publish'];
      if (typeof id === 'string') link.returned.add(id);
    });
    return link;
  }

  /** Publishes one job and waits for the broker's confirm; never throws (every failure is an outcome). */
  async deliver(spec: RabbitMqTargetSpec, job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryOutcome> {
    const started = performance.now();
    const messageId = messageIdOf(job);
    const base = (): DeliveryRecord => ({ target: 'rabbitmq', messageId, durationMs: Math.round(performance.now() - started) });
    if (this.closed) return failure(base(), 'CLOSED', 'the RabbitMQ target is closed');
    try {
      const link = await raceAbort(this.linkFor(spec.url ?? TARGET_DEFAULTS.rabbitMqUrl), signal);
      const publishId = `${process.pid}-${++publishSeq}`;
      await raceAbort(this.publish(link, spec, job, messageId, publishId), signal);
      if (link.returned.delete(publishId)) {
        return failure(base(), 'UNROUTABLE', `exchange "${spec.exchange}" routed the message (routing key "${spec.routingKey}") to no queue`);
      }
      return { ok: true, record: { ...base(), ack: { confirmed: true, exchange: spec.exchange, routingKey: spec.routingKey } } };
    } catch (error) {
      if (isAborted(signal)) return failure(base(), 'ABORTED', abortMessage(signal!));
      const e = error as { code?: unknown; message?: string };
      return failure(base(), typeof e.code === 'number' ? `AMQP_${e.code}` : typeof e.code === 'string' ? e.code : 'AMQP_ERROR', e.message ?? String(error));
    }
  }

  private publish(link: Link, spec: RabbitMqTargetSpec, job: DeliveryJob, messageId: string, publishId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error(`no broker confirm within ${this.confirmTimeoutMs} ms`), { code: 'CONFIRM_TIMEOUT' })), this.confirmTimeoutMs);
      const body = Buffer.from(JSON.stringify(job.payload ?? null));
      const options = {
        messageId, contentType: 'application/json', persistent: true, mandatory: true,
        headers: { 'x-kairos-publish': publishId, 'kairos-queue': job.queue, 'kairos-job-id': String(job.id), 'kairos-attempt': job.attempt },
      };
      try {
        link.channel.publish(spec.exchange, spec.routingKey, body, options, (error: unknown) => {
          clearTimeout(timer);
          if (error === null || error === undefined) resolve();
          else reject(error instanceof Error ? error : Object.assign(new Error('the broker did not confirm the message (nack or channel closed)'), { code: 'NACK' }));
        });
      } catch (error) {
        clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  /** Closes every channel and connection. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.links.values()];
    this.links.clear();
    await Promise.all(all.map(async (p) => {
      const link = await p.catch(() => null);
      await link?.model.close().catch(() => undefined);
    }));
  }
}
