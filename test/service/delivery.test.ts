/**
 * Service mode end to end on both stores: a queue with a webhook target created over HTTP, a job enqueued over HTTP,
 * delivered by the same server to a real receiver on 127.0.0.1 with a Standard Webhooks signature the reference
 * package verifies; the attempt is in the job's history. A receiver answering 410 disables the target and delivery
 * stops; removing the queue stops delivery; metrics count the webhook status classes and the lateness.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './targets/receiver.js';
import { ApiClient, startTestService, STORE_TARGETS, type TestService } from './helpers.js';

const secret = () => `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const target of STORE_TARGETS) {
  describe(`service delivery [${target.name}]`, () => {
    let t: TestService;
    let api: ApiClient;
    let receiver: Receiver;
    let gone = false;
    beforeAll(async () => {
      t = await startTestService(target);
      api = await ApiClient.connect(t);
      receiver = await startReceiver((req) => (gone && req.url === '/gone' ? { status: 410 } : { status: 200, body: 'thanks' }));
    });
    afterAll(async () => {
      await t?.close();
      await receiver?.close();
    });

    it('delivers a job created over HTTP to the queue\'s webhook, signed, and records the attempt', async () => {
      const key = secret();
      const q = await api.request('PUT', '/v1/queues/hooks', { target: { kind: 'http', url: `${receiver.url}/in`, secrets: [key] }, concurrency: 4 });
      expect(q.status).toBe(200);
      const job = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'hooks', payload: { order: 42, note: 'é' }, key: 'order-42' });
      expect(job.status).toBe(202);
      const done = await until('the job completed', async () => {
        const r = await api.request<{ state: string; attempts: { outcome: string }[]; result: { status?: number } }>('GET', `/v1/jobs/${job.body.id}`);
        return r.body.state === 'completed' ? r.body : null;
      });
      expect(done.attempts).toEqual([expect.objectContaining({ outcome: 'completed' })]);
      expect(done.result).toMatchObject({ status: 200 });
      const req = receiver.requests.find((r) => r.url === '/in')!;
      expect(req.headers['webhook-id']).toBe('order-42');
      expect(new Webhook(key).verify(req.body, req.headers)).toEqual({ order: 42, note: 'é' });
      const metrics = await api.request('GET', '/metrics');
      expect(metrics.text).toMatch(/^kairos_webhook_responses_total\{queue="hooks",class="2xx"\} 1$/m);
      expect(metrics.text).toMatch(/^kairos_job_lateness_seconds_count\{queue="hooks"\} 1$/m);
      expect(metrics.text).toMatch(/^kairos_job_outcomes_total\{queue="hooks",outcome="completed"\} 1$/m);
    });

    it('disables a target whose receiver answers 410 and stops delivering it; a removed queue is not delivered', async () => {
      gone = true;
      await api.request('PUT', '/v1/queues/gone', { target: { kind: 'http', url: `${receiver.url}/gone`, secrets: [secret()] } });
      const first = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'gone', payload: { n: 1 } });
      await until('the first job failed', async () => (await api.request<{ state: string }>('GET', `/v1/jobs/${first.body.id}`)).body.state === 'failed');
      const q = await until('the target is disabled', async () => {
        const r = await api.request<{ target: { disabled?: { reason: string } } }>('GET', '/v1/queues/gone');
        return r.body.target.disabled !== undefined ? r.body : null;
      });
      expect(q.target.disabled?.reason).toMatch(/410/);
      const failed = await api.request<{ attempts: { error: { code?: string; stack?: string; details?: { record?: { status?: number } } } }[] }>('GET', `/v1/jobs/${first.body.id}`);
      expect(failed.body.attempts[0]!.error.details?.record?.status).toBe(410);
      expect(failed.body.attempts[0]!.error.stack).toBeUndefined();
      const before = receiver.requests.filter((r) => r.url === '/gone').length;
      const second = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'gone', payload: { n: 2 } });
      // A job that is still scheduled while jobs of another queue go through: nothing is sent to a disabled target.
      await api.request('PUT', '/v1/queues/hooks', { concurrency: 4 });
      const probe = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'hooks', payload: { probe: true } });
      await until('the probe was delivered', async () => (await api.request<{ state: string }>('GET', `/v1/jobs/${probe.body.id}`)).body.state === 'completed');
      expect((await api.request<{ state: string }>('GET', `/v1/jobs/${second.body.id}`)).body.state).toBe('scheduled');
      expect(receiver.requests.filter((r) => r.url === '/gone')).toHaveLength(before);
      // Updating the target enables it again; the waiting job goes out.
      gone = false;
      await api.request('PUT', '/v1/queues/gone', { target: { kind: 'http', url: `${receiver.url}/gone`, secrets: [secret()] } });
      await until('the waiting job was delivered', async () => (await api.request<{ state: string }>('GET', `/v1/jobs/${second.body.id}`)).body.state === 'completed');
      // Removing the queue stops delivery: a new job waits.
      expect((await api.request('DELETE', '/v1/queues/gone')).status).toBe(204);
      const third = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'gone', payload: { n: 3 } });
      const probe2 = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'hooks', payload: { probe: 2 } });
      await until('the second probe was delivered', async () => (await api.request<{ state: string }>('GET', `/v1/jobs/${probe2.body.id}`)).body.state === 'completed');
      expect((await api.request<{ state: string }>('GET', `/v1/jobs/${third.body.id}`)).body.state).toBe('scheduled');
    });

    it('re-registers a queue whose concurrency changes and drops one whose target is cleared', async () => {
      const target = { kind: 'http', url: `${receiver.url}/c`, secrets: [secret()] };
      await api.request('PUT', '/v1/queues/conc', { target, concurrency: 2 });
      expect(t.service.deliveredQueues().get('conc')).toBe(2);
      await api.request('PUT', '/v1/queues/conc', { concurrency: 7 });
      expect(t.service.deliveredQueues().get('conc')).toBe(7);
      await api.request('PUT', '/v1/queues/conc', { concurrency: null });
      expect(t.service.deliveredQueues().get('conc')).toBe(10);
      const job = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'conc', payload: { c: 1 } });
      await until('delivered after the changes', async () => (await api.request<{ state: string }>('GET', `/v1/jobs/${job.body.id}`)).body.state === 'completed');
      await api.request('PUT', '/v1/queues/conc', { target: null });
      expect(t.service.deliveredQueues().has('conc')).toBe(false);
    });

    it('shows the fallback link both ways when a job fails finally on a queue with a fallback', async () => {
      await api.request('PUT', '/v1/queues/sms', { concurrency: 1 });
      const put = await api.request('PUT', '/v1/queues/push', { target: { kind: 'http', url: 'http://127.0.0.1:9/refused', secrets: [secret()] }, fallback: 'sms' });
      expect(put.body).toMatchObject({ fallback: 'sms' });
      const job = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'push', payload: { to: 'u1' }, maxAttempts: 1, tags: ['promo'] });
      const failed = await until('the job failed and has a fallback', async () => {
        const r = await api.request<{ state: string; fallbackJobId?: number | null }>('GET', `/v1/jobs/${job.body.id}`);
        return r.body.state === 'failed' && typeof r.body.fallbackJobId === 'number' ? r.body : null;
      });
      const fallback = await api.request<{ queue: string; payload: unknown; fallbackOf?: number | null }>('GET', `/v1/jobs/${failed.fallbackJobId}`);
      expect(fallback.body).toMatchObject({ queue: 'sms', payload: { to: 'u1' }, fallbackOf: job.body.id });
      const tagged = await api.request<{ jobs: { id: number }[] }>('GET', '/v1/jobs?tag=promo');
      expect(tagged.body.jobs.map((j) => j.id)).toContain(job.body.id);
    });

    it('holds a job created over HTTP until the job it depends on ends', async () => {
      const first = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'held', payload: {}, delayMs: 3_600_000 });
      const second = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'held', payload: {}, dependsOn: [first.body.id] });
      expect(second.status).toBe(202);
      expect((await api.request('GET', `/v1/jobs/${second.body.id}`)).body).toMatchObject({ dependsOn: [first.body.id], waitingFor: 1 });
    });

    it('picks up a queue created by another process through the store', async () => {
      // Written on the store directly, as `kairos queues add` in another process would: no call into this server.
      const other = await (await import('../../src/engine/kairos.js')).Kairos.open({ store: t.store });
      try {
        await other.queues.upsert('from-cli', { target: { kind: 'http', url: `${receiver.url}/cli`, secrets: [secret()] } });
        await other.enqueue('from-cli', { hello: 'cli' });
      } finally {
        await other.close();
      }
      await until('the job of the queue made elsewhere was delivered', async () => receiver.requests.some((r) => r.url === '/cli'));
    });
  });
}
