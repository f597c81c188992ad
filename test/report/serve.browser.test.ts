import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser, markCounts, openPage, waitForRendered } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { serve, type ServeProcess } from '../helpers/serve.js';
import { REPO } from '../helpers/temp.js';

const SPACE = join(REPO, 'test', 'fixtures', 'spaces', 'report.yaml');

describeInBrowser('hpsearch serve: the report live, in headless Chromium', () => {
  let dir: string;
  let db: string;
  let browser: Browser;
  let server: ServeProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hpsearch-serve-'));
    db = join(dir, 'live.db');
    const first = await runCli(['run', SPACE, '--db', db, '--workers', '1', '--trials', '10']);
    expect(first.code).toBe(0);
    server = await serve(db);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 by default and answers the index, the study, its data and 404s', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(await index.text()).toMatch(/<a href="\/study\/report">report<\/a>/);
    const api = await fetch(`${server.url}api/study/report`);
    expect(api.status).toBe(200);
    const payload = (await api.json()) as { revision: string; data: { trials: unknown[] }; views: Array<{ id: string }> };
    expect(payload.data.trials).toHaveLength(10);
    expect(payload.views.map((v) => v.id)).toEqual(['curves', 'scatter', 'history', 'parallel', 'importance', 'rounds']);
    // The same revision: nothing new.
    expect((await fetch(`${server.url}api/study/report?revision=${payload.revision}`)).status).toBe(204);
    const missing = await fetch(`${server.url}study/reprot`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/did you mean "report"/);
    expect((await fetch(`${server.url}nowhere`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('redraws an open page when the study gains trials, asking only its own server', async () => {
    const { page, watch } = await openPage(browser, `${server.url}study/report`);
    const first = await waitForRendered(page);
    expect(await page.locator('#leaderboard tbody tr').count()).toBe(10);
    const before = await markCounts(page, 'history');
    expect(before['symbol']).toBe(10);

    // Another process adds 8 trials to the study while the page is open.
    const more = await runCli(['run', SPACE, '--db', db, '--workers', '1', '--resume', '--trials', '18']);
    expect(more.code).toBe(0);
    const second = await waitForRendered(page, first);
    expect(second).not.toBe(first);
    expect(await page.locator('#leaderboard tbody tr').count()).toBe(18);
    expect((await markCounts(page, 'history'))['symbol']).toBe(18);
    expect(await page.textContent('#status')).toMatch(/^live · checked /);
    expect(watch.problems).toEqual([]);
    const origin = new URL(server.url).origin;
    expect(watch.requests.every((url) => url.startsWith(origin))).toBe(true);
    expect(watch.requests.some((url) => url.includes('/api/study/report?revision='))).toBe(true);
    await page.close();
  }, 60_000);
});
