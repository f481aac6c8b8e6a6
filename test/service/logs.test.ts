/**
 * JSON logs of the service: one line per request with its request id (the caller's x-request-id when sane), route,
 * status and key id; a failed job's line carries its id and attempt; a 500 is logged with the error, not returned.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestService, STORE_TARGETS, type TestService } from './helpers.js';

describe('service logs', () => {
  const lines: Record<string, unknown>[] = [];
  let t: TestService;
  let api: ApiClient;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    t = await startTestService(STORE_TARGETS[0]!, { logger: pino({ level: 'info' }, sink) });
    api = await ApiClient.connect(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs each request with its request id, route, status and key; a job failure with its id and attempt', async () => {
    const res = await api.request('GET', '/v1/jobs/12345', undefined, { headers: { 'x-request-id': 'trace-77' } });
    expect(res.headers.get('x-request-id')).toBe('trace-77');
    const weird = await api.request('GET', '/v1/jobs', undefined, { headers: { 'x-request-id': 'not ok\u00e9' } });
    expect(weird.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.find((l) => l.requestId === 'trace-77' && l.msg === 'request');
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/v1/jobs/:id', status: 404, key: expect.any(String), component: 'http' });

    const target = { kind: 'http', url: 'http://127.0.0.1:9/refused', secrets: [`whsec_${Buffer.alloc(32, 3).toString('base64')}`] };
    await api.request('PUT', '/v1/queues/doomed', { target });
    const job = await api.request<{ id: number }>('POST', '/v1/jobs', { queue: 'doomed', payload: {}, maxAttempts: 1 });
    const end = Date.now() + 10_000;
    while (!lines.some((l) => l.jobId === job.body.id) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    expect(lines.find((l) => l.jobId === job.body.id)).toMatchObject({ level: 40, queue: 'doomed', attempt: 1, msg: 'job failed' });
  });
});
