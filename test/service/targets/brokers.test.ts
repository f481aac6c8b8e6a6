/**
 * The broker targets against the local servers: NATS JetStream (127.0.0.1:4222) and RabbitMQ (127.0.0.1:5672,
 * guest/guest). Each test makes its own uniquely named stream, or exchange and queue, and removes it afterwards.
 */
import { connect as amqpConnect, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../../src/service/targets/deliverer.js';
import { NatsTarget } from '../../../src/service/targets/nats-target.js';
import { RabbitMqTarget } from '../../../src/service/targets/rabbitmq-target.js';

const job = (over: Partial<{ id: number; key: string | null; attempt: number; payload: unknown }> = {}) => ({ id: 11, queue: 'events', key: null, attempt: 1, payload: { order: 7, items: ['a', 'b'] }, ...over });

describe('NATS JetStream target', () => {
  let nc: NatsConnection;
  const stream = `KAIROS_TEST_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const subject = `kairos.test.${stream.toLowerCase()}`;

  beforeAll(async () => {
    nc = await natsConnect({ servers: '127.0.0.1:4222' });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${subject}.>`] });
  });
  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('publishes with Nats-Msg-Id, completes on the PubAck, and the stream drops a duplicate id', async () => {
    const target = new NatsTarget();
    try {
      const spec = { kind: 'nats' as const, subject: `${subject}.orders` };
      const first = await target.deliver(spec, job({ key: 'order-7' }));
      expect(first).toMatchObject({ ok: true, record: { target: 'nats', messageId: 'order-7', ack: { stream, seq: 1, duplicate: false } } });
      const again = await target.deliver(spec, job({ key: 'order-7', attempt: 2 }));
      expect(again).toMatchObject({ ok: true, record: { ack: { stream, duplicate: true } } });
      const other = await target.deliver(spec, job({ id: 12 }));
      expect(other).toMatchObject({ ok: true, record: { messageId: 'job_12', ack: { seq: 2, duplicate: false } } });

      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info(stream)).state.messages).toBe(2);
      const msg = await jsm.streams.getMessage(stream, { seq: 1 });
      expect(msg.subject).toBe(`${subject}.orders`);
      expect(msg.header.get('Nats-Msg-Id')).toBe('order-7');
      expect(msg.header.get('Kairos-Job-Id')).toBe('11');
      expect(JSON.parse(new TextDecoder().decode(msg.data))).toEqual({ order: 7, items: ['a', 'b'] });
    } finally {
      await target.close();
    }
  });

  it('fails clearly when no stream captures the subject, and reuses one connection', async () => {
    const target = new NatsTarget({ ackTimeoutMs: 2_000 });
    try {
      const outcome = await target.deliver({ kind: 'nats', subject: `kairos.nostream.${randomUUID()}` }, job());
      expect(outcome).toMatchObject({ ok: false, error: { code: 'NO_STREAM' } });
      expect(outcome.ok ? '' : outcome.error.message).toContain('no JetStream stream captures subject');
      const ok = await target.deliver({ kind: 'nats', subject: `${subject}.x` }, job({ id: 13 }));
      expect(ok.ok).toBe(true);
      const connections = (target as unknown as { connections: Map<string, unknown> }).connections;
      expect(connections.size).toBe(1);
    } finally {
      await target.close();
    }
  });

  it('fails with the connection error when no server answers', async () => {
    const target = new NatsTarget({ connectTimeoutMs: 1_000 });
    try {
      const outcome = await target.deliver({ kind: 'nats', subject: 'a.b', servers: 'nats://127.0.0.1:1' }, job());
      expect(outcome.ok).toBe(false);
    } finally {
      await target.close();
    }
  });
});

describe('RabbitMQ target', () => {
  const url = 'amqp://guest:guest@127.0.0.1:5672';
  const exchange = `kairos.test.${randomUUID()}`;
  const queue = `kairos.test.q.${randomUUID()}`;
  let received: ConsumeMessage[];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const conn = await amqpConnect(url);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
    await ch.assertQueue(queue, { durable: false, exclusive: true });
    await ch.bindQueue(queue, exchange, 'job');
    received = [];
    await ch.consume(queue, (m) => m !== null && received.push(m), { noAck: true });
    close = async () => {
      await ch.deleteExchange(exchange).catch(() => undefined);
      await conn.close();
    };
  });
  afterAll(async () => {
    await close();
  });

  async function waitFor(n: number): Promise<void> {
    const until = Date.now() + 5_000;
    while (received.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  it('publishes persistent JSON with message_id = the key and completes on the broker confirm', async () => {
    const target = new RabbitMqTarget();
    try {
      const outcome = await target.deliver({ kind: 'rabbitmq', url, exchange, routingKey: 'job' }, job({ key: 'order-7' }));
      expect(outcome).toMatchObject({ ok: true, record: { target: 'rabbitmq', messageId: 'order-7', ack: { confirmed: true } } });
      const second = await target.deliver({ kind: 'rabbitmq', url, exchange, routingKey: 'job' }, job({ id: 12 }));
      expect(second.ok).toBe(true);
      await waitFor(2);
      expect(received.map((m) => m.properties.messageId)).toEqual(['order-7', 'job_12']);
      const m = received[0]!;
      expect(m.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2 });
      expect(m.properties.headers).toMatchObject({ 'kairos-job-id': '11', 'kairos-queue': 'events' });
      expect(JSON.parse(m.content.toString('utf8'))).toEqual({ order: 7, items: ['a', 'b'] });
      expect((target as unknown as { links: Map<string, unknown> }).links.size).toBe(1);
    } finally {
      await target.close();
    }
  });

  it('fails when the exchange does not exist or routes to no queue, and recovers its channel after', async () => {
    const target = new RabbitMqTarget();
    try {
      const missing = await target.deliver({ kind: 'rabbitmq', url, exchange: `kairos.none.${randomUUID()}`, routingKey: 'job' }, job());
      expect(missing).toMatchObject({ ok: false });
      expect(missing.ok ? '' : missing.error.message).toMatch(/NOT_FOUND|no exchange|closed/i);
      const unroutable = await target.deliver({ kind: 'rabbitmq', url, exchange, routingKey: 'nobody' }, job());
      expect(unroutable).toMatchObject({ ok: false, error: { code: 'UNROUTABLE' } });
      const before = received.length;
      const ok = await target.deliver({ kind: 'rabbitmq', url, exchange, routingKey: 'job' }, job({ id: 14 }));
      expect(ok.ok).toBe(true);
      await waitFor(before + 1);
      expect(received.at(-1)!.properties.messageId).toBe('job_14');
    } finally {
      await target.close();
    }
  });
});

describe('Deliverer', () => {
  it('routes each kind to its target and closes every connection', async () => {
    const d = new Deliverer();
    const outcome = await d.deliver({ kind: 'nats', subject: `kairos.nostream.${randomUUID()}` }, job());
    expect(outcome).toMatchObject({ ok: false, record: { target: 'nats' } });
    await d.close();
  });
});
