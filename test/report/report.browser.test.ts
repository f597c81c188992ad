import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { describeInBrowser, launchBrowser, leaderboardColumn, markCounts, openPage, waitForRendered, type MiniElement } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/temp.js';

const SPACES = join(REPO, 'test', 'fixtures', 'spaces');
/**
 * Learning-curve charts per report: every trial of the 30, so that pruned ones (ranked after the
 * complete ones) are drawn, faded, whichever of the trials the seed's draws got pruned.
 */
const CURVES = 30;

describeInBrowser('hpsearch report, opened in headless Chromium', () => {
  let dir: string;
  let db: string;
  let browser: Browser;
  let trials: TrialRecord[];
  let narrowing: TrialRecord[];
  let steps: Map<number, number>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hpsearch-report-'));
    db = join(dir, 'report.db');
    for (const space of ['report.yaml', 'report-narrowing.yaml', 'report-tpe.yaml']) {
      const run = await runCli(['run', join(SPACES, space), '--db', db, '--workers', '1']);
      expect(run.stderr).not.toMatch(/unexpected error/);
      expect(run.code).toBe(0);
    }
    for (const [study, out] of [['report', 'report.html'], ['report-narrowing', 'narrowing.html'], ['report-tpe', 'tpe.html']] as const) {
      const written = await runCli(['report', study, '--db', db, '--out', join(dir, out), '--curves', String(CURVES)]);
      expect(written.code).toBe(0);
      expect(written.stderr).toMatch(new RegExp(`wrote .*${out} \\(\\d+ trials, \\d+ KiB\\)`));
    }
    const storage = await openStorage(db);
    try {
      const id = (await storage.getStudy('report'))!.id;
      trials = await storage.listTrials(id);
      const rows = await storage.leaderboard(id, { top: 100, direction: 'maximize', states: ['complete', 'pruned', 'failed'] });
      steps = new Map(rows.map((r) => [r.number, r.steps]));
      narrowing = await storage.listTrials((await storage.getStudy('report-narrowing'))!.id);
    } finally {
      await storage.close();
    }
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart with the expected marks, offline, without a console error', async () => {
    const complete = trials.filter((t) => t.state === 'complete');
    const pruned = trials.filter((t) => t.state === 'pruned');
    // The median pruner must have pruned some, or the faded curves go untested.
    expect(pruned.length).toBeGreaterThan(0);
    expect(complete.length + pruned.length).toBe(30);

    const url = pathToFileURL(join(dir, 'report.html')).href;
    const { page, watch } = await openPage(browser, url);
    await waitForRendered(page);
    expect(watch.problems).toEqual([]);
    // The file itself is the only thing it loads.
    expect(watch.requests).toEqual([url]);

    expect(await page.locator('#leaderboard tbody tr').count()).toBe(30);
    expect(await page.textContent('h1')).toBe('report');
    expect(await page.textContent('#summary')).toMatch(/^30 trials \(\d+ complete, \d+ pruned\) · val_accuracy, maximize · random search · seed 3/);

    // A learning-curve chart per trial, each a validation and a training line; pruned trials' faded.
    const shown = [
      ...complete.sort((a, b) => b.value! - a.value! || a.number - b.number),
      ...pruned.sort((a, b) => b.value! - a.value! || a.number - b.number),
    ].slice(0, CURVES);
    const shownPruned = shown.filter((t) => t.state === 'pruned');
    const fadedExpected = shownPruned.length;
    expect(fadedExpected).toBeGreaterThan(0);
    // Pruned trials also get a dot per point: one of them may have only one step.
    const prunedPoints = 2 * shownPruned.reduce((sum, t) => sum + steps.get(t.number)!, 0);
    expect(await markCounts(page, 'curves')).toEqual({ line: 2 * shown.length, symbol: prunedPoints });
    const faded = await page.locator('[data-view="curves"] g.mark-line.role-mark path[opacity="0.3"], [data-view="curves"] g.mark-line.role-mark path[stroke-opacity="0.3"]').count();
    expect(faded).toBe(2 * fadedExpected);

    expect(await markCounts(page, 'scatter')).toEqual({ symbol: complete.length });
    expect(await markCounts(page, 'history')).toEqual({ symbol: complete.length + pruned.length, line: 1 });
    // Axes: learning_rate, weight_decay, optimizer and the objective; their ends labelled.
    const parallel = await markCounts(page, 'parallel');
    expect(parallel['line']).toBe(complete.length);
    expect(parallel['rule']).toBe(4);
    expect(parallel['text']).toBeGreaterThanOrEqual(4 + 2);
    expect(await markCounts(page, 'importance')).toEqual({ rect: 3 });
    // A random study has no rounds: no section for them; and no sampler labels: no column for them.
    expect(await page.locator('[data-view="rounds"]').count()).toBe(0);
    expect(await page.isHidden('#leaderboard th[data-key="sampler"]')).toBe(true);
    expect(await page.locator('#leaderboard tbody td.sampler').count()).toBe(0);
    expect(await page.locator('nav a').allTextContents()).toEqual([
      'Leaderboard', 'Learning curves', 'Where the good trials are', 'Optimisation history', 'Parallel coordinates', 'Parameter importance',
    ]);

    // Log axes for log params: the scatter's axis labels are powers of ten.
    const labels = await page.locator('[data-view="scatter"] g.role-axis-label text').allTextContents();
    expect(labels.filter(Boolean).every((l) => /^1e[-+]?\d+$/.test(l))).toBe(true);
    expect(labels.filter(Boolean).length).toBeGreaterThanOrEqual(4);

    mkdirSync(join(REPO, 'runs', 'test-report'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'runs', 'test-report', 'report.png'), fullPage: true });
    await page.close();
  });

  it('sorts the leaderboard by a column on click, and back the other way on a second click', async () => {
    const { page, watch } = await openPage(browser, pathToFileURL(join(dir, 'report.html')).href);
    await waitForRendered(page);
    const ranks = await leaderboardColumn(page, 1);
    expect(ranks).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));

    await page.click('#leaderboard th[data-key="number"]');
    expect(await page.getAttribute('#leaderboard th[data-key="number"]', 'aria-sort')).toBe('ascending');
    expect(await leaderboardColumn(page, 2)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    await page.click('#leaderboard th[data-key="number"]');
    expect(await page.getAttribute('#leaderboard th[data-key="number"]', 'aria-sort')).toBe('descending');
    expect(await leaderboardColumn(page, 2)).toEqual(Array.from({ length: 30 }, (_, i) => String(29 - i)));

    // By value, ascending: the lowest value first; a param column sorts by the param's value.
    await page.click('#leaderboard th[data-key="value"]');
    const values = (await leaderboardColumn(page, 4)).map(Number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    await page.click('#leaderboard th[data-key="param:learning_rate"]');
    const lrs = (await leaderboardColumn(page, 5)).map(Number);
    expect(lrs).toEqual([...lrs].sort((a, b) => a - b));
    expect(new Set(lrs).size).toBe(30);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it("draws a narrowing study's rounds: a range bar per round and numeric param, its trials on them", async () => {
    const { page, watch } = await openPage(browser, pathToFileURL(join(dir, 'narrowing.html')).href);
    await waitForRendered(page);
    expect(watch.problems).toEqual([]);
    expect(narrowing).toHaveLength(12);
    // Two numeric params: a chart each, with 3 range bars and all 12 trials.
    expect(await markCounts(page, 'rounds')).toEqual({ rect: 3 * 2, symbol: 2 * 12 });
    expect(await page.locator('#rounds-table tbody tr').count()).toBe(3);
    // Round 1 is narrower than round 0 for the learning rate.
    const cells = await page.locator('#rounds-table tbody tr td:nth-child(3)').allTextContents();
    expect(cells[0]).toMatch(/^1\.00e-6 – 0\.01 \(log\)$/);
    expect(cells[1]).not.toBe(cells[0]);
    await page.close();
  });

  it("shows each TPE trial's phase in the leaderboard, sortable, and in the history tooltips", async () => {
    const { page, watch } = await openPage(browser, pathToFileURL(join(dir, 'tpe.html')).href);
    await waitForRendered(page);
    expect(watch.problems).toEqual([]);
    expect(await page.isVisible('#leaderboard th[data-key="sampler"]')).toBe(true);
    expect(await page.textContent('#summary')).toMatch(/· tpe search ·/);
    // Column 4 is the sampler's: the first 4 trials are startup draws, the other 6 modelled.
    await page.click('#leaderboard th[data-key="number"]');
    expect(await leaderboardColumn(page, 2)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(await leaderboardColumn(page, 4)).toEqual([...Array(4).fill('startup'), ...Array(6).fill('tpe')]);
    await page.click('#leaderboard th[data-key="sampler"]');
    expect(await page.getAttribute('#leaderboard th[data-key="sampler"]', 'aria-sort')).toBe('ascending');
    expect(await leaderboardColumn(page, 4)).toEqual([...Array(4).fill('startup'), ...Array(6).fill('tpe')]);
    await page.click('#leaderboard th[data-key="sampler"]');
    expect(await leaderboardColumn(page, 4)).toEqual([...Array(6).fill('tpe'), ...Array(4).fill('startup')]);
    expect(await markCounts(page, 'history')).toEqual({ symbol: 10, line: 1 });
    // Each point's tooltip (which Vega-Lite also gives the point as its aria-label) names its trial's phase.
    const tooltips = await page
      .locator('[data-view="history"] g.mark-symbol.role-mark path')
      .evaluateAll((els) => els.map((el) => (el as unknown as MiniElement).getAttribute('aria-label') ?? ''));
    expect(tooltips.map((t) => /^trial: (\d+);.*; sampler: (\w+)$/.exec(t)?.slice(1))).toEqual(
      Array.from({ length: 10 }, (_, i) => [String(i), i < 4 ? 'startup' : 'tpe']),
    );
    await page.close();
  });

  it("labels a narrowing study's trials with their rounds in the leaderboard", async () => {
    const { page, watch } = await openPage(browser, pathToFileURL(join(dir, 'narrowing.html')).href);
    await waitForRendered(page);
    expect(watch.problems).toEqual([]);
    await page.click('#leaderboard th[data-key="number"]');
    const labels = await leaderboardColumn(page, 4);
    expect(labels).toEqual([...narrowing].sort((a, b) => a.number - b.number).map((t) => `round ${t.samplerState['round']}`));
    expect(new Set(labels)).toEqual(new Set(['round 0', 'round 1', 'round 2']));
    await page.close();
  });

  it('makes a file that names no network resource at all', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*connect-src 'none'">/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
  });
});
