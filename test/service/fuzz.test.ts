/**
 * 5,000 fuzzed requests (fast-check) against a real server on each store: random JSON bodies, half of them near the
 * shape a route expects, to every write route with an admin key. No answer may be a 5xx, every answer must conform
 * to /openapi.json, and the server must still answer afterwards. Bounded in count and time.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestService, STORE_TARGETS, type TestService } from './helpers.js';

const RUNS = 5_000;

const anyJson = fc.jsonValue({ maxDepth: 3 });
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', 'mail', 'a b', 'x'.repeat(300), '../etc', '2026-01-01T00:00:00Z', 'whsec_AAAA', '\u0000'));
const num = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2));
const scalar = fc.oneof(text, num, fc.boolean(), fc.constant(null));
const loose = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), fc.oneof(scalar, anyJson), { maxKeys: 6 });

const JOB_KEYS = ['queue', 'payload', 'runAt', 'delayMs', 'key', 'dedupe', 'priority', 'maxAttempts', 'backoff', 'timeoutMs', 'deadline', 'tags'];
const ROUTES: { method: string; path: fc.Arbitrary<string>; body: fc.Arbitrary<unknown> }[] = [
  { method: 'POST', path: fc.constant('/v1/jobs'), body: fc.oneof(anyJson, loose(JOB_KEYS), fc.record({ queue: text, payload: anyJson, runAt: scalar, priority: scalar, backoff: anyJson }, { requiredKeys: ['queue'] })) },
  { method: 'POST', path: fc.constant('/v1/jobs/batch'), body: fc.oneof(anyJson, fc.record({ queue: text, jobs: fc.array(fc.oneof(loose(JOB_KEYS), anyJson), { maxLength: 5 }) })) },
  { method: 'POST', path: fc.constant('/v1/jobs/cancel-by-key'), body: fc.oneof(anyJson, loose(['queue', 'key'])) },
  { method: 'PUT', path: text.map((n) => `/v1/queues/${encodeURIComponent(n || 'q')}`), body: fc.oneof(anyJson, loose(['capacity', 'concurrency', 'limiter', 'lane', 'target', 'fallback', 'jobOptions', 'expectedVersion']), fc.record({ target: loose(['kind', 'url', 'secrets', 'subject', 'exchange', 'headers']) })) },
  { method: 'PUT', path: text.map((n) => `/v1/schedules/${encodeURIComponent(n || 's')}`), body: fc.oneof(anyJson, loose(['queue', 'rule', 'payload', 'misfire', 'overlap', 'startAt', 'maxRuns']), fc.record({ queue: text, rule: loose(['cron', 'tz', 'everyMs', 'at', 'anchor', 'calendar']) })) },
  { method: 'PUT', path: text.map((n) => `/v1/calendars/${encodeURIComponent(n || 'c')}`), body: fc.oneof(anyJson, fc.record({ dates: fc.array(text, { maxLength: 4 }) })) },
  { method: 'POST', path: fc.constant('/v1/keys'), body: fc.oneof(anyJson, loose(['name', 'scopes']), fc.record({ name: text, scopes: fc.array(text, { maxLength: 3 }) })) },
  { method: 'GET', path: fc.tuple(text, text, scalar).map(([q, s, c]) => `/v1/jobs?queue=${encodeURIComponent(q)}&state=${encodeURIComponent(s)}&cursor=${encodeURIComponent(String(c))}`), body: fc.constant(undefined) },
  { method: 'POST', path: scalar.map((id) => `/v1/jobs/${encodeURIComponent(String(id))}/replay`), body: fc.constant(undefined) },
];

for (const target of STORE_TARGETS) {
  describe(`HTTP API fuzz [${target.name}]`, () => {
    let t: TestService;
    let api: ApiClient;
    beforeAll(async () => {
      t = await startTestService(target);
      api = await ApiClient.connect(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    it(`answers ${RUNS} fuzzed requests without a 5xx, each conforming to /openapi.json`, async () => {
      const statuses = new Map<number, number>();
      const request = fc.oneof(...ROUTES.map((r) => fc.record({ method: fc.constant(r.method), path: r.path, body: r.body })));
      await fc.assert(
        fc.asyncProperty(request, async ({ method, path, body }) => {
          const res = await api.request(method, path, body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 200)} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: 120_000 },
      );
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
      // Both refusals and acceptances happened: the fuzzer reached past validation.
      expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
      expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
      expect((await api.request('GET', '/healthz')).status).toBe(200);
    }, 180_000);
  });
}
