#!/usr/bin/env node
// Regenerates docs/screenshots/*.png (`npm run screenshots`): a demo store on a temporary SQLite file with an hour of
// work replayed on a fake clock that ends at the present minute, the dashboard served on 127.0.0.1, and every page
// captured in Debian's chromium (light theme, plus the overview and a job in the dark theme).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import { Kairos } from '../dist/index.js';
import { registerDashboard } from '../dist/service/dashboard/index.js';
import { FakeClock } from '../dist/testing/fake-clock.js';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'kairos-shots-'));

// A tiny key store with hashed secrets, the shape the plugin expects from the server's.
const keys = new Map();
const hash = (s) => createHash('sha256').update(s).digest('hex');
const keyStore = {
  async create({ name, scopes }) {
    const secret = `kairos_${randomBytes(24).toString('base64url')}`;
    const key = { id: `key_${randomBytes(4).toString('hex')}`, name, scopes, createdAt: new Date().toISOString(), lastUsedAt: null };
    keys.set(hash(secret), key);
    return { key, secret };
  },
  async list() {
    return [...keys.values()];
  },
  async revoke(id) {
    for (const [h, k] of keys) if (k.id === id) return keys.delete(h);
    return false;
  },
};

// Deterministic "random" numbers, so the pictures change only when the dashboard does.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const now = Math.floor(Date.now() / MIN) * MIN;
const clock = new FakeClock(now - 60 * MIN);
const kairos = await Kairos.open({ store: `sqlite:${join(dir, 'demo.db')}`, clock, workerId: 'api-1.internal-4312-a1b2c3' });
clock.attach(() => kairos.idle());
kairos.handle('email', async () => ({ delivered: true }), { concurrency: 20 });
kairos.handle('sms', async (job) => {
  if (job.payload.n % 9 === 0) throw new Error('carrier rejected the message: 503 Service Unavailable');
  return { sid: `SM${job.payload.n}` };
}, { concurrency: 10 });
kairos.handle('webhook', async (job) => {
  if (job.payload.n % 23 === 0) {
    const record = { target: 'http', messageId: `kairos:job:${job.id}`, status: 502, durationMs: 31, headers: { 'content-type': 'text/html' }, excerpt: '<html><body>502 Bad Gateway</body></html>' };
    throw Object.assign(new Error('POST https://hooks.example.net/orders → 502 Bad Gateway'), { code: 'TARGET_FAILED', details: { record } });
  }
  return { status: 200 };
}, { concurrency: 10 });

await kairos.queues.upsert('webhook', { target: { url: 'https://hooks.example.net/orders' }, concurrency: 10, fallback: 'sms' });
await kairos.queues.upsert('sms', { concurrency: 10 });
await kairos.queues.upsert('reports', { concurrency: 2 });
await kairos.queues.pause('reports');
await kairos.schedules.upsert({ id: 'monthly-billing', queue: 'billing', rule: { cron: '0 9 L * *', tz: 'Asia/Seoul' }, payload: { run: '{{occurrenceAt}}' } });
await kairos.schedules.upsert({ id: 'reminders', queue: 'push', rule: { cron: '0 9 * * 1,5', tz: 'Asia/Seoul' }, payload: {} });
await kairos.schedules.upsert({ id: 'sync-ledger', queue: 'reports', rule: { everyMs: 15 * MIN }, payload: {} });
await kairos.schedules.upsert({ id: 'flash-sale', queue: 'push', rule: { cron: '15 15 * * *', tz: 'UTC' }, payload: {} });

// An hour of traffic, rising and falling, replayed minute by minute; a tenth of each minute's jobs arrive already
// due (a backlog handed over late), so lateness is not all zero.
let n = 0;
await kairos.start();
for (let m = 0; m < 60; m++) {
  const base = clock.now();
  const volume = Math.round(30 + 25 * Math.sin(m / 9) + 15 * rand());
  const late = 2_000 + 6_000 * Math.max(0, Math.sin(m / 7));
  const items = (count) => Array.from({ length: count }, (_, i) => ({
    payload: { n: ++n }, maxAttempts: 2,
    runAt: new Date(i % 10 === 0 ? base - Math.floor(rand() * late) : base + Math.floor(rand() * MIN)),
  }));
  await kairos.enqueueMany('email', items(volume));
  await kairos.enqueueMany('sms', items(Math.round(volume / 3)));
  await kairos.enqueueMany('webhook', items(Math.round(volume / 4)));
  await clock.advance(MIN);
}
// A second instance on the same store, so the overview lists two alive.
const other = await Kairos.open({ store: `sqlite:${join(dir, 'demo.db')}`, clock, workerId: 'api-2.internal-2207-d4e5f6' });
other.handle('reports', async () => undefined);
await other.start();
await clock.advance(1_000);

// Tomorrow's load: a steady trickle and a 15:15 push to every subscriber.
const next1515 = (() => {
  const d = new Date(now);
  d.setUTCHours(15, 15, 0, 0);
  return d.getTime() <= now ? d.getTime() + 86_400_000 : d.getTime();
})();
await kairos.enqueueMany('email', Array.from({ length: 3000 }, (_, i) => ({ payload: { n: i }, runAt: new Date(now + Math.floor(rand() * 86_400_000)) })));
await kairos.enqueueMany('push', Array.from({ length: 5000 }, (_, i) => ({ payload: { user: i }, runAt: new Date(next1515 + (i % 50_000)) })));
await kairos.enqueue('webhook', { n: 1, order: 'A-1042' }, { runAt: new Date(now + 20 * MIN), key: 'order-A-1042', tags: ['orders'] });
const failing = await kairos.jobs.list({ queue: 'webhook', state: 'failed', limit: 1 });

const app = Fastify();
await registerDashboard(app, { kairos, keys: keyStore, authenticate: async (secret) => keys.get(hash(secret)) ?? null });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const { secret } = await keyStore.create({ name: 'operator', scopes: ['admin'] });
await keyStore.create({ name: 'ci-reader', scopes: ['jobs:read'] });

const browser = await chromium.launch({ executablePath: process.env.KAIROS_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
mkdirSync(OUT, { recursive: true });
async function shoot(colorScheme, pages) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${url}/dashboard/`);
  if (colorScheme === 'light') await page.screenshot({ path: join(OUT, 'sign-in.png') });
  await page.getByLabel('API key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  for (const [name, path] of pages) {
    await page.goto(`${url}/dashboard${path}`);
    await page.locator('main h1').waitFor();
    await page.locator('[role=status]:has-text("Loading")').waitFor({ state: 'detached' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    console.log(`docs/screenshots/${name}.png`);
  }
  await context.close();
}
const jobId = failing.jobs[0]?.id ?? 1;
await shoot('light', [
  ['overview', '/'], ['forecast', '/forecast'], ['queues', '/queues'], ['jobs', '/jobs'], ['job', `/jobs/${jobId}`],
  ['schedules', '/schedules'], ['schedule', '/schedules/monthly-billing'], ['schedule-history', '/schedules/sync-ledger'], ['limiters', '/limiters'], ['keys', '/keys'],
]);
await shoot('dark', [['overview-dark', '/'], ['job-dark', `/jobs/${jobId}`]]);
await browser.close();
await app.close();
await other.close();
await kairos.close();
rmSync(dir, { recursive: true, force: true });
