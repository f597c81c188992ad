import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportPayload } from '../payload.js';
import { CLIENT_SCRIPT } from './client.js';
import { STYLE } from './style.js';

export interface PageOptions {
  /** Served live: the URL the page polls for new revisions (`serve`); absent for a file. */
  live?: string;
  pollMs?: number;
}

let vegaSource: string | null = null;

/** Vega's own browser build, shipped in the `vega` package: inlined, so the file works offline. */
export function vegaRuntime(): string {
  if (vegaSource === null) {
    const entry = createRequire(import.meta.url).resolve('vega');
    vegaSource = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
  }
  return vegaSource;
}

/**
 * One self-contained HTML page: styles, the Vega runtime, the page script and the payload are
 * all inline. The Content-Security-Policy forbids every request but the live poll to its own
 * server, so an offline file cannot reach the network even by mistake. (Vega compiles its
 * expressions with Function, hence 'unsafe-eval'.)
 */
export function renderPage(payload: ReportPayload, options: PageOptions = {}): string {
  const { data } = payload;
  const name = escapeHtml(data.study.name);
  const connect = options.live ? "'self'" : "'none'";
  const csp = `default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src ${connect}`;
  // Fixed params are the same in every row: the table shows what was searched.
  const paramHeaders = data.params
    .filter((p) => p.type !== 'fixed')
    .map((p) => `<th data-key="param:${escapeHtml(p.name)}" title="${escapeHtml(paramTitle(p))}">${escapeHtml(p.name)}</th>`)
    .join('');
  // Rounds exist only in narrowing studies: elsewhere the section would only say so.
  const views = payload.views.filter((v) => v.id !== 'rounds' || data.rounds !== null);
  const sections = views
    .map(
      (v) => `<section id="${v.id}">
<h2>${escapeHtml(v.title)}</h2>
<p class="desc">${escapeHtml(v.description)}</p>
<div class="chart" data-view="${v.id}"></div>${v.id === 'rounds' ? '\n<div id="rounds-table"></div>' : ''}
</section>`,
    )
    .join('\n');
  const nav = [['leaderboard-section', 'Leaderboard'], ...views.map((v) => [v.id, v.title])]
    .map(([id, title]) => `<a href="#${id}">${escapeHtml(title!)}</a>`)
    .join(' ');
  const liveAttrs = options.live ? ` data-live="${escapeHtml(options.live)}" data-poll-ms="${options.pollMs ?? 2000}"` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>hpsearch · ${name}</title>
<style>${STYLE}</style>
</head>
<body${liveAttrs}>
<header>
<h1>${name}</h1>
<p id="summary"></p>
<p class="meta"><span id="generated"></span> <span id="status">${options.live ? 'live' : ''}</span></p>
<nav>${nav}</nav>
</header>
<main>
<section id="leaderboard-section">
<h2>Leaderboard</h2>
<p class="desc">Every trial: complete ones best first, then pruned, failed and unfinished ones. Click a column to sort by it.</p>
<div class="table-wrap"><table id="leaderboard">
<thead><tr><th data-key="rank">rank</th><th data-key="number">#</th><th data-key="state">state</th><th data-key="sampler" title="what the sampler recorded with the trial" hidden>sampler</th><th data-key="value">${escapeHtml(data.study.metric)}</th>${paramHeaders}<th data-key="steps">steps</th><th data-key="duration">duration</th><th data-key="reason">stopped / failed</th></tr></thead>
<tbody></tbody>
</table></div>
</section>
${sections}
</main>
<footer>Made by hpsearch. Charts: Vega ${escapeHtml(vegaVersion())}.</footer>
<script id="hpsearch-payload" type="application/json">${jsonForScript(payload)}</script>
<script>${scriptText(vegaRuntime())}</script>
<script>${scriptText(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}

/** A param column's tooltip: its type, then when it is active, or that the objective asked for it. */
function paramTitle(p: ReportPayload['data']['params'][number]): string {
  const type = p.type === 'categorical' ? `categorical: ${(p.choices ?? []).join(', ')}` : `${p.type}${p.log ? ', log scale' : ''}`;
  const origin = p.source === 'objective' ? '; asked by the objective while it ran, type inferred from the values' : '';
  const condition = p.condition === null ? '' : `; active when ${p.condition}, "-" where inactive`;
  return type + origin + condition;
}

function vegaVersion(): string {
  const pkg = join(dirname(createRequire(import.meta.url).resolve('vega')), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script type="application/json">: no `<` can end the element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function scriptText(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}
