/**
 * The dashboard plugin over real HTTP on 127.0.0.1, on both stores: sign-in and the session cookie, CSRF checks on
 * every state change, scopes, ETags, and the JSON endpoints the pages read and act through.
 */
import { afterEach, expect, it } from 'vitest';
import { describeEachStore, T0 } from '../engine/helpers.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Client {
  csrf: string;
  cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

async function signIn(server: DashboardServer, key: string): Promise<Client> {
  const r = await fetch(`${server.url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: JSON.stringify({ key }) });
  expect(r.status).toBe(201);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return {
    csrf: csrfToken,
    cookie,
    get: (path, headers = {}) => fetch(`${server.url}/dashboard/api${path}`, { headers: { cookie, ...headers } }),
    post: (path, body = {}, headers = {}) => fetch(`${server.url}/dashboard/api${path}`, {
      method: 'POST', body: JSON.stringify(body), headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrfToken, 'sec-fetch-site': 'same-origin', ...headers },
    }),
  };
}

describeEachStore('dashboard HTTP', ({ openKairos }) => {
  it('signs in with a key into an HttpOnly, SameSite=Strict session cookie; a wrong key gets 401; sign-out ends it', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const bad = await fetch(`${server.url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'nope' }) });
    expect(bad.status).toBe(401);
    expect((await fetch(`${server.url}/dashboard/api/overview`)).status).toBe(401);
    const r = await fetch(`${server.url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: server.secrets.reader }) });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^kairos_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const c = await signIn(server, server.secrets.reader);
    expect((await c.get('/session')).status).toBe(200);
    const out = await fetch(`${server.url}/dashboard/api/session`, { method: 'DELETE', headers: { cookie: c.cookie, 'x-csrf-token': c.csrf } });
    expect(out.status).toBe(204);
    expect((await c.get('/overview')).status).toBe(401);
  });

  it('refuses state changes without the CSRF token, with a wrong one, or from another site; and cross-site sign-in', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const c = await signIn(server, server.secrets.admin);
    const job = await kairos.enqueue('q', {}, { runAt: new Date(T0 + 60_000) });
    expect((await c.post(`/jobs/${job.id}/cancel`, {}, { 'x-csrf-token': '' })).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/cancel`, {}, { 'x-csrf-token': `${c.csrf.slice(1)}x` })).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/cancel`, {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await c.post(`/jobs/${job.id}/cancel`, {}, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await kairos.jobs.get(job.id))!.state).toBe('scheduled');
    const crossSignIn = await fetch(`${server.url}/dashboard/api/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: JSON.stringify({ key: server.secrets.admin }),
    });
    expect(crossSignIn.status).toBe(403);
    const ok = await c.post(`/jobs/${job.id}/cancel`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ cancelled: true });
    expect((await kairos.jobs.get(job.id))!.state).toBe('cancelled');
  });

  it('checks scopes: a reader reads but cannot act; a writer acts on jobs but not on schedules or keys', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const job = await kairos.enqueue('q', {}, { runAt: new Date(T0 + 60_000) });
    await kairos.schedules.upsert({ id: 's', queue: 'q', rule: { cron: '0 9 L * *', tz: 'Asia/Seoul' }, payload: {} });
    const reader = await signIn(server, server.secrets.reader);
    expect((await reader.get('/jobs')).status).toBe(200);
    expect((await reader.post(`/jobs/${job.id}/cancel`)).status).toBe(403);
    expect((await reader.get('/keys')).status).toBe(403);
    const writer = await signIn(server, server.secrets.writer);
    expect((await writer.post('/schedules/s/pause')).status).toBe(403);
    expect((await writer.post(`/jobs/${job.id}/cancel`)).status).toBe(200);
  });

  it('lists queues with counts; a pause made here shows at the next read, though counts are reused for 5 s', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    await kairos.enqueueMany('mail', [{ payload: 1 }, { payload: 2 }]);
    const c = await signIn(server, server.secrets.admin);
    const before = (await (await c.get('/queues')).json()) as { name: string; paused: boolean; counts: Record<string, number> }[];
    expect(before).toMatchObject([{ name: 'mail', paused: false, counts: { scheduled: 2 } }]);
    expect((await c.post('/queues/mail/pause')).status).toBe(200);
    const after = (await (await c.get('/queues')).json()) as { paused: boolean }[];
    expect(after[0]!.paused).toBe(true);
    const overview = (await (await c.get('/overview')).json()) as { counts: Record<string, number> };
    expect(overview.counts).toMatchObject({ scheduled: 2, completed: 0 });
  });

  it('shows each limiter with what it uses now, and the rate limits as forecast capacity', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const c = await signIn(server, server.secrets.reader);
    const none = (await (await c.get('/forecast?hours=1')).json()) as { capacityPerMinute: number | null };
    expect(none.capacityPerMinute).toBeNull();
    await kairos.limiters.upsert({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } }, rate: { limit: 10, perMs: 1000 } });
    await kairos.limiters.upsert({ id: 'mailer', concurrency: 2 });
    await kairos.enqueue('pay', { n: 1 }, { limiter: 'gateway', lane: 'signup', runAt: T0 - 1000 });
    const body = (await (await c.get('/limiters')).json()) as { available: boolean; limiters: { id: string; concurrency: number; waiting: number; lanes: { lane: string | null; reserved: number; waiting: number }[]; rate: { limit: number; perMs: number } | null }[] };
    expect(body.available).toBe(true);
    expect(body.limiters.map((l) => l.id)).toEqual(['gateway', 'mailer']);
    expect(body.limiters[0]).toMatchObject({ concurrency: 3, waiting: 1, rate: { limit: 10, perMs: 1000 } });
    expect(body.limiters[0]!.lanes).toContainEqual(expect.objectContaining({ lane: 'signup', reserved: 1, waiting: 1 }));
    expect(body.limiters[1]).toMatchObject({ concurrency: 2, waiting: 0, rate: null });
    // The forecast is cached for 10 s; a fresh server reads the limiters again.
    const second = await startDashboardServer(kairos);
    servers.push(second);
    const c2 = await signIn(second, second.secrets.reader);
    const withRate = (await (await c2.get('/forecast?hours=1')).json()) as { capacityPerMinute: number | null };
    expect(withRate.capacityPerMinute).toBe(600);
  });

  it('answers an unchanged read with 304 to its ETag', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    await kairos.enqueue('q', { n: 1 });
    const c = await signIn(server, server.secrets.reader);
    const first = await c.get('/jobs');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect((await c.get('/jobs', { 'if-none-match': etag })).status).toBe(304);
    await kairos.enqueue('q', { n: 2 });
    const changed = await c.get('/jobs', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { jobs: unknown[] }).jobs).toHaveLength(2);
  });

  it('lists jobs by filter in cursor pages, shows a job with its attempts, replays a failed one', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    kairos.handle('bad', async () => {
      throw new Error('gateway said no');
    });
    for (let i = 0; i < 5; i++) await kairos.enqueue('a', { i });
    const failed = await kairos.enqueue('bad', {}, { maxAttempts: 1 });
    await kairos.start();
    const c = await signIn(server, server.secrets.writer);
    for (let i = 0; i < 100 && (await kairos.jobs.get(failed.id))!.state !== 'failed'; i++) await kairos.idle();
    const page1 = (await (await c.get('/jobs?queue=a&limit=3')).json()) as { jobs: { id: number }[]; nextCursor: number };
    expect(page1.jobs).toHaveLength(3);
    const page2 = (await (await c.get(`/jobs?queue=a&limit=3&cursor=${page1.nextCursor}`)).json()) as { jobs: { id: number }[]; nextCursor: number | null };
    expect(page2.jobs).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    expect((await c.get('/jobs?state=bogus')).status).toBe(400);
    const detail = (await (await c.get(`/jobs/${failed.id}`)).json()) as { state: string; attempts: { outcome: string; error: { message: string } }[] };
    expect(detail.state).toBe('failed');
    expect(detail.attempts).toMatchObject([{ outcome: 'failed', error: { message: 'gateway said no' } }]);
    expect((await c.get('/jobs/999999')).status).toBe(404);
    const replayed = await c.post(`/jobs/${failed.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(((await replayed.json()) as { state: string }).state).toBe('scheduled');
  });

  it('bulk cancel counts first, then cancels exactly the filtered set', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    await kairos.enqueueMany('a', Array.from({ length: 7 }, (_, i) => ({ payload: { i }, runAt: new Date(T0 + 60_000) })));
    await kairos.enqueueMany('b', Array.from({ length: 3 }, (_, i) => ({ payload: { i }, runAt: new Date(T0 + 60_000) })));
    const c = await signIn(server, server.secrets.writer);
    const count = (await (await c.post('/jobs/bulk', { action: 'cancel', queue: 'a' })).json()) as { matched: number };
    expect(count).toEqual({ action: 'cancel', matched: 7, capped: false });
    expect((await kairos.jobs.counts({ queue: 'a' }))).toEqual([{ queue: 'a', state: 'scheduled', count: 7 }]);
    const done = (await (await c.post('/jobs/bulk', { action: 'cancel', queue: 'a', confirm: 7 })).json()) as { changed: number };
    expect(done).toMatchObject({ matched: 7, changed: 7, skipped: 0 });
    expect(await kairos.jobs.counts({ queue: 'a' })).toEqual([{ queue: 'a', state: 'cancelled', count: 7 }]);
    expect(await kairos.jobs.counts({ queue: 'b' })).toEqual([{ queue: 'b', state: 'scheduled', count: 3 }]);
    expect((await c.post('/jobs/bulk', { action: 'delete' })).status).toBe(400);
    const replay = (await (await c.post('/jobs/bulk', { action: 'replay', queue: 'a', state: 'cancelled', confirm: 7 })).json()) as { changed: number };
    expect(replay.changed).toBe(7);
  });

  it('shows a schedule in words with its next occurrences; pauses, resumes and runs it now', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    await kairos.schedules.upsert({ id: 'billing', queue: 'bill', rule: { cron: '0 9 L * *', tz: 'Asia/Seoul' }, payload: { at: '{{occurrenceAt}}' } });
    const c = await signIn(server, server.secrets.admin);
    const detail = (await (await c.get('/schedules/billing')).json()) as { words: string; next: { at: string; local: string }[] };
    expect(detail.words).toBe('at 09:00 on the last day of each month, Asia/Seoul');
    expect(detail.next).toHaveLength(10);
    expect(detail.next[0]).toMatchObject({ at: '2026-06-30T00:00:00.000Z', local: '2026-06-30T09:00:00+09:00' });
    expect(((await (await c.post('/schedules/billing/pause')).json()) as { paused: boolean }).paused).toBe(true);
    expect((await kairos.schedules.get('billing'))!.paused).toBe(true);
    expect(((await (await c.post('/schedules/billing/resume')).json()) as { paused: boolean }).paused).toBe(false);
    const run = await c.post('/schedules/billing/run');
    expect(run.status).toBe(201);
    const job = (await kairos.jobs.get(((await run.json()) as { id: number }).id))!;
    expect(job).toMatchObject({ queue: 'bill', tags: ['run-now', 'schedule:billing'] });
    expect((job.payload as { at: string }).at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await c.get('/schedules/nope')).status).toBe(404);
    await kairos.schedules.upsert({ id: 'another', queue: 'bill', rule: { everyMs: 900_000 }, payload: {} });
    const list = (await (await c.get('/schedules?offset=1&limit=1')).json()) as { total: number; schedules: { id: string; words: string }[] };
    expect(list).toMatchObject({ total: 2, offset: 1, schedules: [{ id: 'billing', words: 'at 09:00 on the last day of each month, Asia/Seoul' }] });
  });

  it('creates a key shown once, lists keys without secrets, and revoking one ends its sessions', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const admin = await signIn(server, server.secrets.admin);
    const createdResponse = await admin.post('/keys', { name: 'ci', scopes: ['jobs:read'] });
    expect(createdResponse.status).toBe(201);
    const created = (await createdResponse.json()) as { key: { id: string }; secret: string };
    expect(created.secret).toMatch(/^kairos_/);
    const listed = await (await admin.get('/keys')).text();
    expect(listed).toContain(created.key.id);
    expect(listed).not.toContain(created.secret);
    expect((await admin.post('/keys', { name: 'x', scopes: ['root'] })).status).toBe(400);
    const ci = await signIn(server, created.secret);
    expect((await ci.get('/overview')).status).toBe(200);
    const revoked = await fetch(`${server.url}/dashboard/api/keys/${created.key.id}`, { method: 'DELETE', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf } });
    expect(revoked.status).toBe(204);
    expect((await ci.get('/overview')).status).toBe(401);
  });

  it('serves the built pages at /dashboard/ with a strict CSP, and redirects / there', async () => {
    const { kairos } = await openKairos();
    const server = await startDashboardServer(kairos);
    servers.push(server);
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard/');
    const page = await fetch(`${server.url}/dashboard/jobs/12`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${server.url}${script}`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
