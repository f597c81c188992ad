import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium (`apt-get install -y chromium`); HPSEARCH_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env['HPSEARCH_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless, and quiet: no background requests of Chromium's own that the network tests would see. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A describe block that runs in a real browser. CI installs Chromium (.ci/run), so there a
 * missing one fails the run; elsewhere the block is skipped, its name saying how to install it.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM) || process.env['CI']) describe(name, body);
  else describe.skip(`${name} (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium)`, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** What a page did besides rendering: console errors and warnings, uncaught errors, every request. */
export interface PageWatch {
  problems: string[];
  requests: string[];
}

export async function openPage(browser: Browser, url: string): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const watch: PageWatch = { problems: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') watch.problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watch.problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => watch.requests.push(request.url()));
  await page.goto(url);
  return { page, watch };
}

/** Waits until the report page has drawn everything (the client script sets data-rendered). */
export async function waitForRendered(page: Page, revision?: string): Promise<string> {
  const selector = revision ? `body[data-rendered]:not([data-rendered="${revision}"])` : 'body[data-rendered]';
  await page.waitForSelector(selector, { timeout: 30_000 });
  return (await page.getAttribute('body', 'data-rendered'))!;
}

/** Items drawn per Vega mark type (symbol, line, rect, rule, text) in one view of the report; legends not counted. */
export async function markCounts(page: Page, view: string): Promise<Record<string, number>> {
  return page.evaluate((id) => {
    const counts: Record<string, number> = {};
    const box = (globalThis as unknown as { document: MiniDocument }).document.querySelector(`[data-view="${id}"]`);
    for (const group of box?.querySelectorAll('g.role-mark') ?? []) {
      const type = /mark-(\w+)/.exec(group.getAttribute('class') ?? '')?.[1] ?? '?';
      counts[type] = (counts[type] ?? 0) + group.children.length;
    }
    return counts;
  }, view);
}

/** The little of the DOM these page functions use (the tests compile without the DOM library). */
export interface MiniElement {
  children: { length: number };
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<MiniElement>;
  textContent: string | null;
}
export interface MiniDocument {
  querySelector(selector: string): MiniElement | null;
  querySelectorAll(selector: string): Iterable<MiniElement>;
}

/** Text of every cell in one leaderboard column, top to bottom (column: 1-based). */
export async function leaderboardColumn(page: Page, column: number): Promise<string[]> {
  return page.evaluate((n) => {
    const doc = (globalThis as unknown as { document: MiniDocument }).document;
    return [...doc.querySelectorAll(`#leaderboard tbody tr td:nth-child(${n})`)].map((td) => td.textContent ?? '');
  }, column);
}
