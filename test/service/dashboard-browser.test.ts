/// <reference lib="dom" />
/**
 * The dashboard in Debian's chromium against a real server on 127.0.0.1 and a real store (both stores): sign in, see a
 * job appear live, cancel it, replay a failed one, bulk-cancel a filtered set, pause a schedule, read the forecast of a
 * 10,000-job minute; axe-core on every page (0 serious or critical, light and dark); actions reached by keyboard.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachStore } from '../engine/helpers.js';
import { chromiumAvailable, launchChromium, seriousViolations, tabTo } from './browser.js';
import { startDashboardServer } from './dashboard-server.js';

const MIN = 60_000;
let browser: Browser;

async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/dashboard/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

if (!chromiumAvailable()) {
  describe.skip('dashboard in chromium (no /usr/bin/chromium: apt-get install -y chromium)', () => {
    it('needs chromium', () => undefined);
  });
} else {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describeEachStore('dashboard in chromium', ({ openKairos }) => {
    it('signs in, shows work live, cancels, replays, pauses, forecasts; every page accessible and keyboard-reachable', { timeout: 60_000 }, async () => {
      const { kairos } = await openKairos({ fake: false });
      let failOnce = true;
      kairos.handle('flaky', async () => {
        if (failOnce) {
          failOnce = false;
          // As a webhook target's failure carries it: the response in the error's details.
          throw Object.assign(new Error('gateway timeout'), { details: { record: { target: 'http', messageId: 'm1', status: 503, durationMs: 12, excerpt: 'upstream busy' } } });
        }
        return { ok: true };
      });
      await kairos.schedules.upsert({ id: 'billing', queue: 'bill', rule: { cron: '0 9 L * *', tz: 'Asia/Seoul' }, payload: {} });
      const spikeAt = Math.floor((Date.now() + 3 * 3_600_000) / MIN) * MIN + 15 * MIN;
      await kairos.enqueueMany('push', Array.from({ length: 10_000 }, (_, i) => ({ payload: { user: i }, runAt: new Date(spikeAt + (i % 60_000)) })));
      const failed = await kairos.enqueue('flaky', { order: 1 }, { maxAttempts: 1 });
      await kairos.start();
      const server = await startDashboardServer(kairos, { pollIntervalMs: 300 });
      const context = await browser.newContext({ colorScheme: 'light' });
      const page = await context.newPage();
      try {
        await signIn(page, server.url, server.secrets.admin);
        await expectAccessible(page, 'overview');

        // A job enqueued while the page is open appears without a reload.
        await page.getByRole('link', { name: 'Jobs' }).click();
        await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
        const live = await kairos.enqueue('live', { hello: 'world' }, { runAt: new Date(Date.now() + 3_600_000) });
        await page.locator(`tr[data-job-id="${live.id}"]`).waitFor({ timeout: 10_000 });
        await expectAccessible(page, 'jobs');

        // Cancel it from its page, by keyboard.
        await page.getByRole('link', { name: `#${live.id}` }).click();
        await page.getByRole('heading', { name: `Job #${live.id}` }).waitFor();
        await expectAccessible(page, 'job');
        expect(await tabTo(page, /^Cancel job$/)).toBe(true);
        await page.keyboard.press('Enter');
        await page.locator('.actions .badge', { hasText: 'cancelled' }).waitFor();
        expect((await kairos.jobs.get(live.id))!.state).toBe('cancelled');

        // Replay the failed one; it completes on its second attempt, and both attempts show on the timeline.
        await page.goto(`${server.url}/dashboard/jobs/${failed.id}`);
        await page.locator('.actions .badge', { hasText: 'failed' }).waitFor();
        await page.getByRole('button', { name: 'Replay job' }).click();
        await page.locator('.actions .badge', { hasText: 'completed' }).waitFor({ timeout: 10_000 });
        await expect.poll(() => page.locator('.timeline li').count()).toBe(2);
        expect(await page.locator('.timeline').innerText()).toContain('gateway timeout');
        expect(await page.locator('.timeline .delivery').innerText()).toMatch(/http 503.*upstream busy/);

        // Bulk cancel of a filtered set: the confirmation states how many.
        await kairos.enqueueMany('later', Array.from({ length: 12 }, (_, i) => ({ payload: { i }, runAt: new Date(Date.now() + 7_200_000) })));
        await page.goto(`${server.url}/dashboard/jobs?queue=later`);
        await page.locator('#jobs-table').waitFor();
        expect(await tabTo(page, /^Cancel all matching/)).toBe(true);
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator('#bulk-count').innerText()).toContain('12');
        await expectAccessible(page, 'bulk confirmation');
        await page.getByRole('button', { name: 'Cancel 12 jobs' }).click();
        await page.getByText('Cancelled 12 jobs').waitFor();
        expect(await kairos.jobs.counts({ queue: 'later' })).toEqual([{ queue: 'later', state: 'cancelled', count: 12 }]);

        // Pause a schedule (by keyboard); its rule reads in words.
        await page.goto(`${server.url}/dashboard/schedules/billing`);
        await expect.poll(() => page.locator('#rule-words').innerText()).toBe('at 09:00 on the last day of each month, Asia/Seoul');
        await expectAccessible(page, 'schedule');
        expect(await tabTo(page, /^Pause schedule$/)).toBe(true);
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator('#schedule-status').innerText()).toBe('paused');
        expect((await kairos.schedules.get('billing'))!.paused).toBe(true);

        // The forecast shows the 10,000-job minute as a spike.
        await page.getByRole('link', { name: 'Forecast' }).click();
        await page.locator('#forecast-total').waitFor();
        await expect.poll(() => page.locator('#forecast-total').innerText()).toBe('10,000');
        await expect.poll(() => page.locator('#forecast-spikes').innerText()).toBe('1');
        const spikeRows = page.locator('section[aria-labelledby=spikes] tbody tr');
        expect(await spikeRows.count()).toBe(1);
        expect(await spikeRows.first().innerText()).toMatch(/10,000\s+push \(10,000\)/);
        await expectAccessible(page, 'forecast');

        for (const [path, heading] of [['/queues', 'Queues'], ['/schedules', 'Schedules'], ['/limiters', 'Limiters'], ['/keys', 'API keys']] as const) {
          await page.goto(`${server.url}/dashboard${path}`);
          await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
          await page.locator('[role=status]:has-text("Loading")').waitFor({ state: 'detached' });
          await expectAccessible(page, heading);
        }
        // The check itself catches a violation: a button without a name is critical for axe.
        await page.evaluate(() => document.querySelector('main')!.append(Object.assign(document.createElement('button'), { id: 'planted' })));
        expect((await seriousViolations(page)).map((v) => v.id)).toContain('button-name');
        await page.evaluate(() => document.getElementById('planted')!.remove());

        // Queue pause is reachable by keyboard too.
        await page.goto(`${server.url}/dashboard/queues`);
        await page.locator('table').waitFor();
        expect(await tabTo(page, /^Pause queue push$/)).toBe(true);

        // The dark theme passes the same checks.
        const dark = await browser.newContext({ colorScheme: 'dark' });
        const darkPage = await dark.newPage();
        await signIn(darkPage, server.url, server.secrets.reader);
        await expectAccessible(darkPage, 'overview (dark)');
        await darkPage.goto(`${server.url}/dashboard/jobs/${failed.id}`);
        await darkPage.locator('.timeline').waitFor();
        await expectAccessible(darkPage, 'job (dark)');
        await dark.close();
      } finally {
        await context.close();
        await server.close();
      }
    });
  });
}
