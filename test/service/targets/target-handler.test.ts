/**
 * targetHandler on a real Kairos instance, on every store: deliveries to a real receiver recorded per attempt,
 * 410 disables, Retry-After schedules the retry, a hanging receiver never blocks another queue, and 10,000 webhooks
 * each delivered, duplicated only after a forced receiver timeout.
 */
import { connect as amqpConnect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { connect as natsConnect } from 'nats';
import { Webhook } from 'standardwebhooks';
import { afterEach, expect, it } from 'vitest';
import type { Kairos } from '../../../src/engine/kairos.js';
import { Deliverer } from '../../../src/service/targets/deliverer.js';
import type { DeliveryRecord } from '../../../src/service/targets/delivery.js';
import { targetHandler } from '../../../src/service/targets/target-handler.js';
import type { HttpTargetSpec, TargetSpec } from '../../../src/service/targets/target-spec.js';
import { collectEvents, waitForEvent } from '../../../src/testing/wait-for-event.js';
import { describeEachStore } from '../../engine/helpers.js';
import { newSecret, startReceiver, type Receiver, type Reply } from './receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(reply?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return r;
}

function deliverer(): Deliverer {
  const d = new Deliverer({ allowHosts: ['127.0.0.1'] });
  cleanups.push(() => d.close());
  return d;
}

/** Routes each queue to its spec, as the server's queue table will. */
function wire(kairos: Kairos, d: Deliverer, specs: Record<string, TargetSpec>, options: Parameters<typeof targetHandler>[2] = {}, concurrency = 10): void {
  const handler = targetHandler(d, (queue) => specs[queue], options);
  for (const queue of Object.keys(specs)) kairos.handle(queue, handler, { concurrency });
}

const http = (r: Receiver, secrets = [newSecret()], over: Partial<HttpTargetSpec> = {}): HttpTargetSpec => ({ kind: 'http', url: `${r.url}/hook`, secrets, ...over });

describeEachStore('delivery through targetHandler', ({ openKairos, target }) => {
  it('delivers a job signed, completes it with the record as its result, and uses the key as webhook-id', async () => {
    const r = await receiver(() => ({ status: 200, headers: { 'x-request-id': 'abc' }, body: '{"ok":true}' }));
    const { kairos } = await openKairos({ fake: false });
    const secret = newSecret();
    wire(kairos, deliverer(), { hooks: http(r, [secret]) });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const job = await kairos.enqueue('hooks', { user: 'u1' }, { key: 'welcome-u1' });
    await done;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.state).toBe('completed');
    expect(detail.result).toMatchObject({ target: 'http', status: 200, messageId: 'welcome-u1', headers: { 'x-request-id': 'abc' }, excerpt: '{"ok":true}' });
    const req = r.requests[0]!;
    expect(req.headers['webhook-id']).toBe('welcome-u1');
    expect(new Webhook(secret).verify(req.body, req.headers)).toEqual({ user: 'u1' });
  });

  it('retries a 500 with backoff and keeps each attempt\'s status and excerpt in its error', async () => {
    let n = 0;
    const r = await receiver(() => (++n === 1 ? { status: 500, body: 'database down' } : { status: 204 }));
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { hooks: http(r) });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const job = await kairos.enqueue('hooks', { a: 1 }, { backoff: { type: 'fixed', delayMs: 20 } });
    await done;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect(detail.attempts[0]!.error).toMatchObject({ code: 'TARGET_FAILED', details: { code: 'TARGET_FAILED', record: { status: 500, excerpt: 'database down', messageId: `job_${job.id}` } } });
    expect(detail.result).toMatchObject({ status: 204 });
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([`job_${job.id}`, `job_${job.id}`]);
  });

  it('410 fails the job for good and reports the target disabled', async () => {
    const r = await receiver(() => ({ status: 410 }));
    const { kairos } = await openKairos({ fake: false });
    const disabled: [string, string][] = [];
    wire(kairos, deliverer(), { gone: http(r) }, { onDisable: (queue, reason) => void disabled.push([queue, reason]) });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('gone', {}, { maxAttempts: 5 });
    await failed;
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'failed', attempt: 1 });
    expect(detail.attempts[0]).toMatchObject({ outcome: 'unrecoverable', error: { code: 'TARGET_DISABLED', details: { record: { status: 410 } } } });
    expect(disabled).toEqual([['gone', 'receiver answered 410 Gone']]);
  });

  it('a disabled target fails its jobs at once without a request', async () => {
    const r = await receiver();
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { off: { ...http(r), disabled: { at: '2026-06-01T00:00:00.000Z', reason: 'receiver answered 410 Gone' } } });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    await kairos.enqueue('off', {});
    expect((await failed).error).toMatchObject({ code: 'TARGET_DISABLED' });
    expect(r.requests).toHaveLength(0);
  });

  it('429 with Retry-After retries at that delay instead of the backoff', async () => {
    let n = 0;
    const r = await receiver(() => (++n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { hooks: http(r) });
    await kairos.start();
    const retrying = waitForEvent(kairos, 'job:retrying');
    const done = waitForEvent(kairos, 'job:completed');
    // The backoff would wait an hour: only Retry-After can bring the retry within the test.
    const job = await kairos.enqueue('hooks', {}, { backoff: { type: 'fixed', delayMs: 3_600_000 } });
    const retry = await retrying;
    expect(retry.error).toMatchObject({ name: 'RetryAfterError', details: { record: { status: 429, headers: { 'retry-after': '1' } } } });
    await done;
    expect(r.requests[1]!.receivedAt - r.requests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
  });

  it('the job timeout aborts a delivery to a receiver that hangs', async () => {
    const r = await receiver(() => 'hang');
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { slow: http(r, undefined, { timeoutMs: 60_000 }) });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const job = await kairos.enqueue('slow', {}, { timeoutMs: 200, maxAttempts: 1 });
    await failed;
    expect((await kairos.jobs.get(job.id))!.attempts[0]!.outcome).toBe('timeout');
  });

  it('a receiver that hangs on one queue never blocks deliveries of another queue', async () => {
    const hanging = await receiver(() => 'hang');
    const fine = await receiver();
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { stuck: http(hanging, undefined, { timeoutMs: 60_000 }), fast: http(fine) }, {}, 4);
    await kairos.start();
    await kairos.enqueueMany('stuck', Array.from({ length: 20 }, (_, i) => ({ payload: { i } })));
    // Every slot of the stuck queue is taken by a request that will not return.
    while (hanging.requests.length < 4) await new Promise((res) => setTimeout(res, 10));
    const done = collectEvents(kairos, 'job:completed', 200, (e) => e.queue === 'fast');
    await kairos.enqueueMany('fast', Array.from({ length: 200 }, (_, i) => ({ payload: { i } })));
    await done;
    expect(fine.requests).toHaveLength(200);
    expect(hanging.requests).toHaveLength(4);
  });

  it('delivers to NATS JetStream and to RabbitMQ, the broker\'s ack as the result', async () => {
    const stream = `KAIROS_TH_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const subject = `kairos.th.${stream.toLowerCase()}`;
    const nc = await natsConnect({ servers: '127.0.0.1:4222' });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const conn = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    const amqpQueue = `kairos.th.${randomUUID()}`;
    await ch.assertQueue(amqpQueue, { exclusive: true });
    cleanups.push(async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
      await conn.close();
    });
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { toNats: { kind: 'nats', subject }, toRabbit: { kind: 'rabbitmq', exchange: '', routingKey: amqpQueue } });
    await kairos.start();
    const done = collectEvents(kairos, 'job:completed', 2);
    const a = await kairos.enqueue('toNats', { n: 1 }, { key: 'n-1' });
    const b = await kairos.enqueue('toRabbit', { n: 2 });
    await done;
    expect((await kairos.jobs.get(a.id))!.result).toMatchObject({ target: 'nats', messageId: 'n-1', ack: { stream, seq: 1, duplicate: false } });
    expect((await kairos.jobs.get(b.id))!.result).toMatchObject({ target: 'rabbitmq', messageId: `job_${b.id}`, ack: { confirmed: true } });
    const msg = await ch.get(amqpQueue, { noAck: true });
    expect(msg && JSON.parse(msg.content.toString('utf8'))).toEqual({ n: 2 });
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
  });

  it('delivers many webhooks, each at least once, duplicated only after a forced receiver timeout', { timeout: 60_000 }, async () => {
    const total = target.name === 'sqlite' ? 10_000 : 2_000;
    // Every 500th job's first request is held past the target's timeout: the attempt fails, its retry duplicates it.
    const forced = new Set<string>();
    const seen = new Map<string, number>();
    const r = await receiver((req): Reply | Promise<Reply> => {
      const id = req.headers['webhook-id']!;
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      const n = Number(id.slice('job_'.length));
      if (count === 1 && n % 500 === 0) {
        forced.add(id);
        return new Promise((res) => setTimeout(() => res({ status: 200 }), 3_500));
      }
      return { status: 200 };
    });
    const secret = newSecret();
    const { kairos } = await openKairos({ fake: false });
    wire(kairos, deliverer(), { bulk: http(r, [secret], { timeoutMs: 3_000 }) }, {}, 64);
    await kairos.start();
    const done = collectEvents(kairos, 'job:completed', total, () => true, 55_000);
    const ids: number[] = [];
    for (let i = 0; i < total; i += 1_000) {
      const batch = await kairos.enqueueMany('bulk', Array.from({ length: Math.min(1_000, total - i) }, (_, j) => ({ payload: { n: i + j }, backoff: { type: 'fixed' as const, delayMs: 50 } })));
      ids.push(...batch.map((b) => b.id));
    }
    await done;
    expect(ids).toHaveLength(total);
    for (const id of ids) expect(seen.get(`job_${id}`) ?? 0, `job ${id}`).toBeGreaterThanOrEqual(1);
    const duplicated = [...seen].filter(([, c]) => c > 1).map(([id]) => id).sort();
    expect(duplicated).toEqual([...forced].sort());
    expect(forced.size).toBeGreaterThan(0);
    expect(r.requests).toHaveLength(total + forced.size);
    const wh = new Webhook(secret);
    for (const req of r.requests) wh.verify(req.body, req.headers);
    const counts = await kairos.jobs.counts({ queue: 'bulk' });
    expect(counts).toEqual([{ queue: 'bulk', state: 'completed', count: total }]);
    const forcedJob = (await kairos.jobs.get(Number([...forced][0]!.slice(4))))!;
    expect(forcedJob.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect((forcedJob.attempts[0]!.error?.details as { record: DeliveryRecord }).record.error?.code).toBe('RESPONSE_TIMEOUT');
  });
});
