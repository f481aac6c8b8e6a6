/**
 * The HTTP API on a real server on 127.0.0.1, on both stores: auth on every route (walked from the app's own route
 * table), scopes, the first admin key, 404s, 413, validation errors naming the field, jobs end to end (create, list
 * with a cursor, get with attempts, cancel, cancel by key, replay, batch), queues, schedules, calendars, keys, health,
 * metrics. Every response is checked against /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/service/build-server.js';
import type { OpenApiChecker} from './helpers.js';
import { ApiClient, startTestService, STORE_TARGETS, type TestService } from './helpers.js';

const WRONG_SCOPE = { 'jobs:read': ['jobs:write'], 'jobs:write': ['jobs:read'], admin: ['jobs:read', 'jobs:write'] } as const;

function concrete(url: string): string {
  return url.replace(/:id/g, '1').replace(/:name/g, 'q1');
}

for (const target of STORE_TARGETS) {
  describe(`HTTP API [${target.name}]`, () => {
    let t: TestService;
    let api: ApiClient;
    beforeAll(async () => {
      t = await startTestService(target);
      api = await ApiClient.connect(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('creates an admin key on first start, shows it once, and not again on the next start', async () => {
      expect(t.adminKey).toMatch(/^kairos_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(t.announced.join('')).toContain(t.adminKey);
      const keys = await api.request<{ keys: { id: string; scopes: string[] }[] }>('GET', '/v1/keys');
      expect(keys.body.keys).toEqual([expect.objectContaining({ scopes: ['admin'] })]);
      expect(keys.text).not.toContain(t.adminKey);
      const again = await t.service.keys.createFirstAdmin();
      expect(again).toBeNull();
    });

    it('refuses every route but health without a key (401) and with a key lacking its scope (403)', async () => {
      const routes = apiRoutes(t.service.app);
      expect(routes.length).toBeGreaterThan(20);
      const keys: Record<string, string> = {};
      for (const [scope, lacking] of Object.entries(WRONG_SCOPE)) {
        keys[scope] = ((await api.request<{ key: string }>('POST', '/v1/keys', { name: `lacks ${scope}`, scopes: lacking })).body).key;
      }
      const bad = api.withKey('kairos_000000000000_' + 'A'.repeat(43));
      for (const route of routes) {
        const path = concrete(route.url);
        const body = route.method === 'POST' || route.method === 'PUT' ? {} : undefined;
        if (route.scope === 'public') {
          expect(['/healthz', '/readyz']).toContain(route.url);
          continue;
        }
        expect((await api.withKey(null).request(route.method, path, body)).status, `${route.method} ${route.url} without a key`).toBe(401);
        expect((await bad.request(route.method, path, body)).status, `${route.method} ${route.url} with an unknown key`).toBe(401);
        const res = await api.withKey(keys[route.scope]!).request(route.method, path, body);
        expect(res.status, `${route.method} ${route.url} with a key lacking ${route.scope}`).toBe(403);
        expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      }
      expect((await api.withKey(null).request('GET', '/healthz')).status).toBe(200);
      expect((await api.withKey(null).request('GET', '/readyz')).body).toEqual({ ready: true, checks: { store: true, migrations: true, workers: true } });
    });

    it('stops accepting a revoked key', async () => {
      const made = await api.request<{ key: string; id: string }>('POST', '/v1/keys', { name: 'short-lived', scopes: ['jobs:read'] });
      expect(made.status).toBe(201);
      const client = api.withKey(made.body.key);
      expect((await client.request('GET', '/v1/jobs')).status).toBe(200);
      expect((await api.request('DELETE', `/v1/keys/${made.body.id}`)).status).toBe(204);
      expect((await client.request('GET', '/v1/jobs')).status).toBe(401);
      expect((await api.request('DELETE', `/v1/keys/${made.body.id}`)).status).toBe(404);
    });

    it('creates, reads, pages, cancels, replays jobs and carries request ids', async () => {
      const created = await api.request<{ id: number; state: string; outcome: string }>('POST', '/v1/jobs', { queue: 'later', payload: { n: 1 }, delayMs: 3_600_000, key: 'k1' }, { headers: { 'x-request-id': 'req-abc.1' } });
      expect(created.status).toBe(202);
      expect(created.headers.get('x-request-id')).toBe('req-abc.1');
      expect(created.body).toMatchObject({ state: 'scheduled', outcome: 'created' });
      const kept = await api.request<{ id: number; outcome: string }>('POST', '/v1/jobs', { queue: 'later', payload: { n: 2 }, key: 'k1' });
      expect(kept.body).toMatchObject({ id: created.body.id, outcome: 'kept' });
      const batch = await api.request<{ jobs: { id: number }[] }>('POST', '/v1/jobs/batch', { queue: 'later', jobs: [1, 2, 3, 4].map((n) => ({ payload: { n }, delayMs: 3_600_000 })) });
      expect(batch.status).toBe(202);
      expect(batch.body.jobs).toHaveLength(4);
      const seen: number[] = [];
      let cursor: number | null = null;
      do {
        const page: { body: { jobs: { id: number }[]; nextCursor: number | null } } = await api.request('GET', `/v1/jobs?queue=later&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
        seen.push(...page.body.jobs.map((j) => j.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual([...batch.body.jobs.map((j) => j.id), created.body.id].sort((a, b) => b - a));
      const one = await api.request<{ id: number; payload: unknown; attempts: unknown[] }>('GET', `/v1/jobs/${created.body.id}`);
      expect(one.body).toMatchObject({ id: created.body.id, payload: { n: 1 }, attempts: [] });
      const cancelled = await api.request('POST', `/v1/jobs/${created.body.id}/cancel`);
      expect(cancelled.body).toMatchObject({ cancelled: true, job: { state: 'cancelled' } });
      expect((await api.request('POST', `/v1/jobs/${created.body.id}/cancel`)).body).toMatchObject({ cancelled: false });
      expect((await api.request('POST', `/v1/jobs/${created.body.id}/replay`)).body).toMatchObject({ state: 'scheduled' });
      expect((await api.request('POST', '/v1/jobs/cancel-by-key', { queue: 'later', key: 'k1' })).body).toEqual({ id: created.body.id, cancelled: true });
      expect((await api.request('POST', `/v1/jobs/${batch.body.jobs[0]!.id}/replay`)).status).toBe(409);
    });

    it('stores concurrent creates together and still gives each request its own answer', async () => {
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
        api.request<{ id: number; error?: { code: string } }>('POST', '/v1/jobs', { queue: 'grouped', payload: { i }, key: i === 7 || i === 8 ? 'same' : `g${i}`, dedupe: 'reject', delayMs: 3_600_000 })));
      expect(results.filter((r) => r.status === 202)).toHaveLength(59);
      const refused = results.filter((r) => r.status === 409);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.body.error?.code).toBe('DUPLICATE_KEY');
      expect(new Set(results.filter((r) => r.status === 202).map((r) => r.body.id)).size).toBe(59);
      const page = await api.request<{ jobs: { payload: { i: number } }[] }>('GET', '/v1/jobs?queue=grouped&limit=100');
      expect(page.body.jobs).toHaveLength(59);
    });

    it('answers 404 for unknown ids and routes, 400 naming the field, 413 for a body over the limit', async () => {
      for (const [method, path] of [['GET', '/v1/jobs/987654'], ['POST', '/v1/jobs/987654/cancel'], ['POST', '/v1/jobs/987654/replay'], ['GET', '/v1/queues/nope'], ['DELETE', '/v1/queues/nope'],
        ['GET', '/v1/schedules/nope'], ['DELETE', '/v1/schedules/nope'], ['GET', '/v1/schedules/nope/preview'], ['DELETE', '/v1/calendars/nope'], ['DELETE', '/v1/keys/nope']] as const) {
        const res = await api.request(method, path);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
      }
      expect((await api.request('POST', '/v1/jobs/cancel-by-key', { queue: 'later', key: 'none' })).status).toBe(404);
      const route = await api.withKey(null).request('GET', '/v1/nothing-here');
      expect(route.status).toBe(404);
      const cases: [unknown, string][] = [
        [{ payload: {} }, 'queue'], [{ queue: 'a b' }, 'queue'], [{ queue: 'q', priority: 'high' }, 'priority'], [{ queue: 'q', surprise: 1 }, 'surprise'],
        [{ queue: 'q', runAt: 'tomorrow' }, 'runAt'], [{ queue: 'q', runAt: '2026-01-01T00:00:00Z', delayMs: 5 }, 'delayMs'],
      ];
      for (const [body, field] of cases) {
        const res = await api.request<{ error: { field: string; code: string } }>('POST', '/v1/jobs', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.field).toBe(field);
      }
      const batch = await api.request<{ error: { field: string } }>('POST', '/v1/jobs/batch', { queue: 'q', jobs: [{ payload: 1 }, { payload: 2, maxAttempts: 0 }] });
      expect(batch.body.error.field).toBe('jobs[1].maxAttempts');
      const badJson = await api.request('POST', '/v1/jobs', undefined, { rawBody: '{"queue": ' });
      expect(badJson.status).toBe(400);
      const big = await api.request('POST', '/v1/jobs', undefined, { rawBody: JSON.stringify({ queue: 'q', payload: 'x'.repeat(3 * 1024 * 1024) }) });
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
      const largePayload = await api.request('POST', '/v1/jobs', { queue: 'q', payload: 'x'.repeat(300 * 1024) });
      expect(largePayload.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(largePayload.status).toBe(413);
    });

    it('manages queues: create with a target, refuse a bad or hostile target naming the field, pause, resume, delete', async () => {
      const made = await api.request<{ name: string; target: unknown; concurrency: number; fallback: string }>('PUT', '/v1/queues/mail', {
        target: { kind: 'http', url: 'http://127.0.0.1:9/hook', secrets: [`whsec_${Buffer.alloc(32, 7).toString('base64')}`] }, concurrency: 3, fallback: 'sms',
      });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({ name: 'mail', concurrency: 3, fallback: 'sms', target: { kind: 'http', url: 'http://127.0.0.1:9/hook' } });
      const hostile = await api.request<{ error: { code: string; field: string } }>('PUT', '/v1/queues/evil', { target: { kind: 'http', url: 'http://169.254.169.254/latest', secrets: [`whsec_${Buffer.alloc(32, 1).toString('base64')}`] } });
      expect(hostile.status).toBe(400);
      expect(hostile.body.error.code).toBe('TARGET_REFUSED');
      const malformed = await api.request<{ error: { field: string } }>('PUT', '/v1/queues/evil', { target: { kind: 'http' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.field).toMatch(/^target\./);
      expect((await api.request('PUT', '/v1/queues/evil', { concurrency: 0 })).status).toBe(400);
      expect((await api.request('POST', '/v1/queues/mail/pause')).body).toMatchObject({ paused: true });
      expect((await api.request('POST', '/v1/queues/mail/resume')).body).toMatchObject({ paused: false });
      await api.request('POST', '/v1/jobs/batch', { queue: 'mail', jobs: [1, 2, 3].map((n) => ({ payload: { n }, delayMs: 3_600_000 })) });
      expect((await api.request('POST', '/v1/queues/mail/drain')).body).toEqual({ cancelled: 3 });
      expect((await api.request<{ counts: { scheduled: number; cancelled: number } }>('GET', '/v1/queues/mail')).body.counts).toMatchObject({ scheduled: 0, cancelled: 3 });
      const list = await api.request<{ queues: { name: string }[] }>('GET', '/v1/queues');
      expect(list.body.queues.map((q) => q.name)).toContain('mail');
      expect((await api.request('PUT', '/v1/queues/mail', { expectedVersion: 1 })).status).toBe(409);
      expect((await api.request('DELETE', '/v1/queues/mail')).status).toBe(204);
      // Its jobs stay, so the queue is still listed, without stored settings.
      expect((await api.request('GET', '/v1/queues/mail')).body).toMatchObject({ stored: false, target: null, counts: { cancelled: 3 } });
      expect((await api.request('DELETE', '/v1/queues/mail')).status).toBe(404);
    });

    it('manages limiters: create or replace, read, status, 400 naming the field, 404, delete', async () => {
      const made = await api.request<{ id: string; concurrency: number; lanes: Record<string, { reserved: number }>; version: number }>('PUT', '/v1/limiters/gateway', {
        concurrency: 3, lanes: { signup: { reserved: 1 } }, rate: { limit: 5, perMs: 1000 },
      });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } }, lend: false, rate: { limit: 5, perMs: 1000 }, version: 1 });
      const replaced = await api.request<{ version: number; concurrency: number }>('PUT', '/v1/limiters/gateway', { concurrency: 4, lanes: { signup: { reserved: 1 } } });
      expect(replaced.body).toMatchObject({ concurrency: 4, version: 2, rate: null });
      const bad = await api.request<{ error: { code: string; field: string } }>('PUT', '/v1/limiters/tight', { concurrency: 1, lanes: { a: { reserved: 2 } } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'LIMITER_OPTION_INVALID', field: 'lanes' });
      expect((await api.request('GET', '/v1/limiters/tight')).status).toBe(404);
      const created = await api.request<{ id: number; limiter: string | null; lane: string | null }>('POST', '/v1/jobs', { queue: 'pay', payload: {}, limiter: 'gateway', lane: 'signup' });
      expect(created.status).toBe(202);
      const job = await api.request<{ limiter: string | null; lane: string | null }>('GET', `/v1/jobs/${created.body.id}`);
      expect(job.body).toMatchObject({ limiter: 'gateway', lane: 'signup' });
      const status = await api.request<{ id: string; concurrency: number; waiting: number; lanes: { lane: string | null; waiting: number }[] }>('GET', '/v1/limiters/gateway/status');
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ id: 'gateway', concurrency: 4, waiting: 1 });
      expect(status.body.lanes).toContainEqual(expect.objectContaining({ lane: 'signup', waiting: 1 }));
      const list = await api.request<{ limiters: { id: string }[] }>('GET', '/v1/limiters');
      expect(list.body.limiters.map((l) => l.id)).toEqual(['gateway']);
      expect((await api.request('DELETE', '/v1/limiters/gateway')).status).toBe(204);
      expect((await api.request<{ error: { code: string } }>('GET', '/v1/limiters/gateway/status')).body.error.code).toBe('LIMITER_NOT_FOUND');
      expect((await api.request('DELETE', '/v1/limiters/gateway')).status).toBe(404);
      expect((await api.request(`POST`, `/v1/jobs/${created.body.id}/cancel`)).status).toBe(200);
    });

    it('manages schedules and calendars', async () => {
      expect((await api.request('PUT', '/v1/calendars/holidays', { dates: ['2031-12-25'] })).status).toBe(200);
      const s = await api.request<{ id: string; nextAt: string }>('PUT', '/v1/schedules/daily', { queue: 'reports', rule: { cron: '0 9 * * *', tz: 'Asia/Seoul', calendar: 'holidays' }, payload: { kind: 'daily' } });
      expect(s.status).toBe(200);
      expect(s.body.id).toBe('daily');
      const preview = await api.request<{ occurrences: { local: string }[] }>('GET', '/v1/schedules/daily/preview?count=3');
      expect(preview.body.occurrences).toHaveLength(3);
      expect(preview.body.occurrences[0]!.local).toMatch(/T09:00:00\+09:00$/);
      expect((await api.request('GET', '/v1/schedules/daily/history?limit=5')).body).toEqual({ occurrences: [] });
      expect((await api.request('POST', '/v1/schedules/daily/pause')).body).toMatchObject({ paused: true });
      expect((await api.request('POST', '/v1/schedules/daily/resume')).body).toMatchObject({ paused: false });
      const bad = await api.request<{ error: { code: string; field: string } }>('PUT', '/v1/schedules/bad', { queue: 'reports', rule: { cron: '0 61 * * *' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('SCHEDULE_RULE_INVALID');
      expect((await api.request('DELETE', '/v1/calendars/holidays')).status).toBe(409);
      expect((await api.request<{ schedules: unknown[] }>('GET', '/v1/schedules')).body.schedules).toHaveLength(1);
      expect((await api.request('DELETE', '/v1/schedules/daily')).status).toBe(204);
      expect((await api.request('DELETE', '/v1/calendars/holidays')).status).toBe(204);
    });

    it('serves Prometheus metrics and an OpenAPI 3.1 document', async () => {
      const metrics = await api.request('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^kairos_jobs\{queue="later",state="scheduled"\} \d+$/m);
      expect(metrics.text).toContain('kairos_http_requests_total');
      expect(metrics.text).toContain('kairos_process_resident_memory_bytes');
      const doc = await api.request<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/queues/{name}', '/v1/schedules/{id}/preview', '/v1/keys', '/metrics']));
      expect(api.checker!.checked).toBeGreaterThan(50);
    });

    it('has a response checker that fails on an undocumented status or a body off its schema', () => {
      const checker = api.checker as OpenApiChecker;
      expect(() => checker.check('GET', '/v1/jobs/1', 418, 'application/json', '{}')).toThrow();
      expect(() => checker.check('GET', '/v1/jobs/1', 200, 'application/json', '{"id":"one"}')).toThrow();
      expect(() => checker.check('POST', '/v1/jobs', 202, 'application/json', JSON.stringify({ id: 1, queue: 'q', state: 'nope', runAt: 'x', key: null, outcome: 'created' }))).toThrow();
    });
  });
}
