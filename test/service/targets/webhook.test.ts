/**
 * HTTP webhook delivery against a real receiver on 127.0.0.1: Standard Webhooks signatures verified with the
 * reference package (both secrets during rotation), and each status, redirect and timeout leading to its outcome.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTarget, parseRetryAfter } from '../../../src/service/targets/http-target.js';
import { SsrfGuard } from '../../../src/service/targets/ssrf.js';
import type { HttpTargetSpec } from '../../../src/service/targets/target-spec.js';
import { newSecret, startReceiver, type Receiver, type Reply } from './receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(reply?: (r: { url: string }) => Reply | Promise<Reply>, options: { now?: () => number } = {}): Promise<{ receiver: Receiver; http: HttpTarget }> {
  const receiver = await startReceiver(reply);
  const http = new HttpTarget({ guard: new SsrfGuard({ allowHosts: ['127.0.0.1'] }), ...options });
  cleanups.push(() => receiver.close(), () => http.close());
  return { receiver, http };
}

const job = (over: Partial<{ id: number; key: string | null; attempt: number; payload: unknown }> = {}) => ({ id: 7, queue: 'billing', key: null, attempt: 1, payload: { amount: 42, note: 'é✓' }, ...over });

describe('webhook signing', () => {
  it('signs with every secret; the reference package verifies each, and the id, timestamp and body are what was sent', async () => {
    const { receiver, http } = await setUp();
    const old = newSecret();
    const fresh = newSecret(32);
    const spec: HttpTargetSpec = { kind: 'http', url: `${receiver.url}/hooks?x=1`, secrets: [old, fresh], headers: { 'x-tenant': 'acme' } };
    const before = Math.floor(Date.now() / 1000);
    const outcome = await http.deliver(spec, job({ key: 'invoice-2026-06' }));
    expect(outcome).toMatchObject({ ok: true, record: { target: 'http', status: 200, messageId: 'invoice-2026-06' } });
    const req = receiver.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/hooks?x=1' });
    expect(req.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'invoice-2026-06', 'x-tenant': 'acme', 'kairos-queue': 'billing', 'kairos-job-id': '7', 'kairos-attempt': '1' });
    expect(JSON.parse(req.body)).toEqual({ amount: 42, note: 'é✓' });
    const ts = Number(req.headers['webhook-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(req.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [old, fresh]) expect(new Webhook(secret).verify(req.body, req.headers)).toEqual({ amount: 42, note: 'é✓' });
    // Each signature stands alone: a receiver holding only one of the secrets verifies too, one holding neither does not.
    expect(() => new Webhook(newSecret()).verify(req.body, req.headers)).toThrow();
    expect(() => new Webhook(old).verify(req.body.replace('42', '43'), req.headers)).toThrow();
  });

  it('uses job_<id> as the webhook-id of a job without a key, the same on every attempt', async () => {
    const { receiver, http } = await setUp();
    const secret = newSecret();
    const spec: HttpTargetSpec = { kind: 'http', url: receiver.url, secrets: [secret] };
    await http.deliver(spec, job({ id: 99, attempt: 1 }));
    await http.deliver(spec, job({ id: 99, attempt: 2 }));
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(['job_99', 'job_99']);
    for (const r of receiver.requests) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow();
  });

  it('percent-encodes a key that cannot be a header value, and the signature still verifies', async () => {
    const { receiver, http } = await setUp();
    const secret = newSecret();
    const outcome = await http.deliver({ kind: 'http', url: receiver.url, secrets: [secret] }, job({ key: 'facture 12/é' }));
    expect(outcome).toMatchObject({ ok: true, record: { messageId: 'facture%2012%2F%C3%A9' } });
    const req = receiver.requests[0]!;
    expect(req.headers['webhook-id']).toBe('facture%2012%2F%C3%A9');
    expect(() => new Webhook(secret).verify(req.body, req.headers)).not.toThrow();
  });

  it('puts a timestamp outside the tolerance when the clock says so (the reference package refuses it)', async () => {
    const { receiver, http } = await setUp(undefined, { now: () => Date.now() - 10 * 60_000 });
    const secret = newSecret();
    await http.deliver({ kind: 'http', url: receiver.url, secrets: [secret] }, job());
    const req = receiver.requests[0]!;
    expect(() => new Webhook(secret).verify(req.body, req.headers)).toThrow(/timestamp/i);
  });

  it('reuses one keep-alive connection for sequential deliveries to an origin', async () => {
    const { receiver, http } = await setUp();
    const spec: HttpTargetSpec = { kind: 'http', url: receiver.url, secrets: [newSecret()] };
    for (let i = 0; i < 20; i++) expect((await http.deliver(spec, job({ id: i }))).ok).toBe(true);
    expect(receiver.requests).toHaveLength(20);
    // Reused, not one per request (undici may open a second connection early on; it then keeps both).
    expect(receiver.connections).toBeLessThanOrEqual(2);
  });
});

describe('webhook responses', () => {
  const spec = (receiver: Receiver, over: Partial<HttpTargetSpec> = {}): HttpTargetSpec => ({ kind: 'http', url: `${receiver.url}/in`, secrets: [newSecret()], ...over });

  it('completes on any 2xx and records status, selected headers, an excerpt and the duration', async () => {
    const { receiver, http } = await setUp((r) => ({
      status: r.url === '/in' ? 202 : 204,
      headers: { 'content-type': 'text/plain', 'x-request-id': 'req-1', 'set-cookie': 'secret=1', 'x-other': 'dropped' },
      body: 'x'.repeat(5_000),
    }));
    const outcome = await http.deliver(spec(receiver), job());
    expect(outcome.ok).toBe(true);
    expect(outcome.record).toMatchObject({ status: 202, headers: { 'content-type': 'text/plain', 'x-request-id': 'req-1' } });
    expect(outcome.record.headers).not.toHaveProperty('set-cookie');
    expect(outcome.record.headers).not.toHaveProperty('x-other');
    expect(outcome.record.excerpt).toBe('x'.repeat(1024));
    expect(outcome.record.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('410 asks to disable the target', async () => {
    const { receiver, http } = await setUp(() => ({ status: 410, body: 'gone' }));
    const outcome = await http.deliver(spec(receiver), job());
    expect(outcome).toMatchObject({ ok: false, disable: 'receiver answered 410 Gone', error: { code: 'TARGET_DISABLED' }, record: { status: 410, excerpt: 'gone' } });
  });

  it('429 and 503 honour Retry-After in seconds and as an HTTP date, capped', async () => {
    const answers: Reply[] = [
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } },
      { status: 429, headers: { 'retry-after': '999999' } },
      { status: 503 },
      { status: 429, headers: { 'retry-after': 'soon' } },
    ];
    let i = 0;
    const receiver = await startReceiver(() => answers[i++]!);
    const http = new HttpTarget({ guard: new SsrfGuard({ allowHosts: ['127.0.0.1'] }), maxRetryAfterMs: 600_000 });
    cleanups.push(() => receiver.close(), () => http.close());
    const outcomes = [];
    for (let n = 0; n < answers.length; n++) outcomes.push(await http.deliver(spec(receiver), job()));
    expect(outcomes[0]).toMatchObject({ ok: false, retryAfterMs: 7_000, record: { status: 429, headers: { 'retry-after': '7' } } });
    const dated = (outcomes[1] as { retryAfterMs: number }).retryAfterMs;
    expect(dated).toBeGreaterThan(100_000);
    expect(dated).toBeLessThanOrEqual(120_000);
    expect(outcomes[2]).toMatchObject({ retryAfterMs: 600_000 });
    // No Retry-After, or one that cannot be read: the job's backoff decides.
    expect(outcomes[3]).toMatchObject({ ok: false, error: { code: 'TARGET_FAILED' } });
    expect(outcomes[3]).not.toHaveProperty('retryAfterMs');
    expect(outcomes[4]).not.toHaveProperty('retryAfterMs');
  });

  it('500 and other statuses fail with the record, to retry with backoff', async () => {
    const { receiver, http } = await setUp(() => ({ status: 500, body: 'boom' }));
    const outcome = await http.deliver(spec(receiver), job());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'TARGET_FAILED', message: 'the receiver answered 500' }, record: { status: 500, excerpt: 'boom' } });
    expect(outcome).not.toHaveProperty('disable');
    expect(outcome).not.toHaveProperty('final');
  });

  it('does not follow a redirect: a 3xx is a failure and the location is not requested', async () => {
    const { receiver, http } = await setUp((r) => (r.url === '/in' ? { status: 307, headers: { location: '/elsewhere' } } : { status: 200 }));
    const outcome = await http.deliver(spec(receiver), job());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'TARGET_FAILED' }, record: { status: 307, headers: { location: '/elsewhere' } } });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/in']);
  });

  it('a receiver that never answers fails after the response timeout', async () => {
    const { receiver, http } = await setUp(() => 'hang');
    const outcome = await http.deliver(spec(receiver, { timeoutMs: 300 }), job());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'RESPONSE_TIMEOUT', message: 'no response within 300 ms' } });
  });

  it('a connect that never completes fails after the connect timeout', async () => {
    // A listener whose accept queue is full: the kernel drops further SYNs, so connect() hangs.
    const py: ChildProcess = spawn('python3', ['-c', "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)"]);
    cleanups.push(() => void py.kill());
    const port = await new Promise<number>((resolve) => py.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    const fillers: Socket[] = [];
    for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
    cleanups.push(() => fillers.forEach((s) => s.destroy()));
    await new Promise((r) => setTimeout(r, 200));
    const http = new HttpTarget({ guard: new SsrfGuard({ allowHosts: ['127.0.0.1'] }) });
    cleanups.push(() => http.close());
    const outcome = await http.deliver({ kind: 'http', url: `http://127.0.0.1:${port}/`, secrets: [newSecret()], connectTimeoutMs: 300, timeoutMs: 5_000 }, job());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UND_ERR_CONNECT_TIMEOUT' } });
  });

  it('a refused connection fails with its code; an aborted signal ends a hanging delivery', async () => {
    const { receiver, http } = await setUp(() => 'hang');
    const closed = await startReceiver();
    const port = closed.port;
    await closed.close();
    const refused = await http.deliver({ kind: 'http', url: `http://127.0.0.1:${port}/`, secrets: [newSecret()] }, job());
    expect(refused).toMatchObject({ ok: false, error: { code: 'ECONNREFUSED' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job timed out')), 100);
    const aborted = await http.deliver(spec(receiver, { timeoutMs: 60_000 }), job(), controller.signal);
    expect(aborted).toMatchObject({ ok: false, error: { code: 'ABORTED', message: 'job timed out' } });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates, caps, and refuses junk', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('0', now, 1e6)).toBe(0);
    expect(parseRetryAfter(' 12 ', now, 1e6)).toBe(12_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now, 1e6)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now, 1e6)).toBe(0);
    expect(parseRetryAfter('86400', now, 3_600_000)).toBe(3_600_000);
    expect(parseRetryAfter('-1', now, 1e6)).toBeNull();
    expect(parseRetryAfter(undefined, now, 1e6)).toBeNull();
  });
});
