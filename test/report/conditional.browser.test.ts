/**
 * The report of a study with a conditional param (momentum exists only with the momentum
 * optimizer), opened in headless Chromium: what is drawn is read back from the scenegraph items
 * Vega binds to its SVG elements, so the test sees the positions drawn, not the spec sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStudy } from '../../src/index.js';
import { writeReport } from '../../src/report/write.js';
import { openStorage } from '../../src/storage/open.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { describeInBrowser, launchBrowser, leaderboardColumn, openPage, waitForRendered, type MiniDocument } from '../helpers/browser.js';

/** One drawn item of a Vega mark: its data row and where it was drawn. */
interface DrawnItem {
  datum: Record<string, unknown>;
  x: number;
  y: number;
  y2: number | null;
}

/** Every item of every mark of one type in a view of the report, from the scenegraph items Vega's SVG renderer binds to its elements. */
async function drawnItems(page: Page, view: string, marktype: 'line' | 'symbol' | 'rule' | 'text'): Promise<DrawnItem[][]> {
  return page.evaluate(
    ([id, type]) => {
      interface Item { datum: Record<string, unknown>; x?: number; y?: number; y2?: number; mark: { items: Item[] } }
      const doc = (globalThis as unknown as { document: MiniDocument }).document;
      const marks = new Set<Item['mark']>();
      for (const el of doc.querySelectorAll(`[data-view="${id}"] g.mark-${type}.role-mark > *`)) {
        const item = (el as unknown as { __data__?: Item }).__data__;
        if (item?.mark) marks.add(item.mark);
      }
      // A line is one path per mark; its items are its points.
      return [...marks].map((mark) =>
        mark.items.map((item) => ({ datum: { ...item.datum }, x: item.x ?? 0, y: item.y ?? 0, y2: item.y2 ?? null })),
      );
    },
    [view, marktype] as const,
  );
}

describeInBrowser('the report of a study with a conditional param, in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let trials: TrialRecord[];
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hpsearch-conditional-'));
    const db = join(dir, 'conditional.db');
    const study = await createStudy({
      name: 'conditional',
      storage: db,
      direction: 'maximize',
      metric: 'acc',
      seed: 7,
      search: { strategy: 'random', trials: 24 },
      params: {
        optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: ['momentum'] } },
        lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
        // A null choice is a value: shown as null, unlike a param the trial lacks.
        head: { type: 'categorical', choices: [null, 'mlp'] },
      },
    });
    try {
      await study.optimize(({ optimizer, momentum, lr }) => {
        const base = 1 / (1 + (Math.log10(lr as number) + 2) ** 2);
        return optimizer === 'momentum' ? base * (momentum as number) : 0.7 * base;
      }, { workers: 1 });
    } finally {
      await study.close();
    }
    const storage = await openStorage(db);
    try {
      await writeReport(storage, 'conditional', { out: join(dir, 'report.html') });
      trials = await storage.listTrials((await storage.getStudy('conditional'))!.id);
    } finally {
      await storage.close();
    }
    url = pathToFileURL(join(dir, 'report.html')).href;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws momentum only for the trials that have it, without a console error', async () => {
    const complete = trials.filter((t) => t.state === 'complete');
    const having = complete.filter((t) => Object.hasOwn(t.params, 'momentum'));
    expect(complete).toHaveLength(24);
    // The random sampler draws momentum only with the momentum optimizer: both kinds are there.
    expect(having.length).toBeGreaterThan(4);
    expect(having.length).toBeLessThan(20);
    expect(complete.every((t) => Object.hasOwn(t.params, 'momentum') === (t.params['optimizer'] === 'momentum'))).toBe(true);

    const { page, watch } = await openPage(browser, url);
    await waitForRendered(page);
    expect(watch.problems).toEqual([]);

    // Leaderboard, by trial number: columns rank, #, state, acc, optimizer, momentum, lr, head.
    await page.click('#leaderboard th[data-key="number"]');
    const byNumber = [...complete].sort((a, b) => a.number - b.number);
    const cells = await leaderboardColumn(page, 6);
    expect(cells.map((c, i) => (c === '-') === !Object.hasOwn(byNumber[i]!.params, 'momentum'))).toEqual(byNumber.map(() => true));
    expect(await leaderboardColumn(page, 8)).toEqual(byNumber.map((t) => (t.params['head'] === null ? 'null' : 'mlp')));
    expect(byNumber.some((t) => t.params['head'] === null)).toBe(true);
    expect(await page.locator('#leaderboard tbody td.absent').count()).toBe(complete.length - having.length);
    expect(await page.getAttribute('#leaderboard th[data-key="param:momentum"]', 'title')).toBe('float; active when optimizer = momentum, "-" where inactive');

    // Parallel coordinates: every line crosses all four axes; at momentum's, a trial without it
    // is drawn at the "inactive" label below the axis line, the others on the line at their value.
    const lines = await drawnItems(page, 'parallel', 'line');
    expect(lines).toHaveLength(complete.length);
    expect(lines.every((points) => points.map((p) => p.datum['axis']).join() === 'optimizer,momentum,lr,head,acc')).toBe(true);
    expect(lines.flat().every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    const axis = (await drawnItems(page, 'parallel', 'rule')).flat().find((r) => r.datum['axis'] === 'momentum')!;
    const texts = (await drawnItems(page, 'parallel', 'text')).flat().filter((t) => t.datum['axis'] === 'momentum');
    const band = texts.filter((t) => t.datum['label'] === 'inactive');
    expect(band).toHaveLength(1);
    const [top, bottom] = [Math.min(axis.y, axis.y2!), Math.max(axis.y, axis.y2!)];
    expect(band[0]!.y).toBeGreaterThan(bottom + 10);
    const values = having.map((t) => t.params['momentum'] as number);
    const [low, high] = [Math.min(...values), Math.max(...values)];
    for (const points of lines) {
      const point = points.find((p) => p.datum['axis'] === 'momentum')!;
      const trial = complete.find((t) => t.number === point.datum['number'])!;
      if (Object.hasOwn(trial.params, 'momentum')) {
        const expected = bottom - ((trial.params['momentum'] as number) - low) / (high - low) * (bottom - top);
        expect(point.y).toBeCloseTo(expected, 3);
        expect(point.datum['inactive']).toBe(false);
      } else {
        expect(point.y).toBeCloseTo(band[0]!.y, 6);
        expect(point.datum['inactive']).toBe(true);
      }
    }
    // The axis's ends are labelled with momentum's real range: no null, NaN or 0 from the trials without it.
    expect(texts.filter((t) => t.datum['label'] !== 'inactive').map((t) => t.datum['label']).sort()).toEqual(
      [String(Number(low.toPrecision(3))), String(Number(high.toPrecision(3)))].sort(),
    );
    const svgText = await page.locator('[data-view="scatter"]').allTextContents();
    expect(svgText.join(' ')).not.toMatch(/\bNaN\b|\bnull\b|undefined/);
    // On the parallel axes the only null is head's null choice (a tick of its own), none elsewhere.
    const nulls = (await drawnItems(page, 'parallel', 'text')).flat().filter((t) => /\bNaN\b|\bnull\b|undefined/.test(String(t.datum['label'])));
    expect(nulls.map((t) => [t.datum['axis'], t.datum['label']])).toEqual([['head', 'null']]);

    // The scatter is lr × momentum (lr has no condition, so it comes first): a point per trial that has momentum, at its value.
    const points = (await drawnItems(page, 'scatter', 'symbol')).flat();
    expect(points.map((p) => p.datum['number']).sort((a, b) => Number(a) - Number(b))).toEqual(having.map((t) => t.number).sort((a, b) => a - b));
    for (const p of points) expect(p.datum['y']).toBe(having.find((t) => t.number === p.datum['number'])!.params['momentum']);

    // Importance: momentum over the trials that have it, and it says how many.
    const labels = await page.locator('[data-view="importance"] g.role-axis-label text').allTextContents();
    expect(labels).toContain(`momentum (${having.length} of ${complete.length} trials)`);
    expect(labels).toContain('lr');
    await page.close();
  });
});
