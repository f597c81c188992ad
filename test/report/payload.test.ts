import * as vega from 'vega';
import { describe, expect, it } from 'vitest';
import { buildReportData, type ReportData, type ReportInput } from '../../src/report/data.js';
import { buildPayload } from '../../src/report/payload.js';
import { renderPage } from '../../src/report/html/page.js';
import { viewSpecs } from '../../src/report/specs.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import type { ParamSpecs } from '../../src/space/types.js';
import type { LeaderboardRow, StepRecord } from '../../src/storage/storage.js';
import type { TrialState } from '../../src/trial-state.js';
import { makeSpace, trial } from '../samplers/helpers.js';

function input(specs: ParamSpecs, made: Array<{ state?: TrialState; value?: number | null; params: Record<string, number | string> }>, direction: 'maximize' | 'minimize' = 'maximize'): ReportInput {
  const rows: LeaderboardRow[] = made.map((m, number) => ({
    rank: 0, number, state: m.state ?? 'complete', value: m.value ?? null, params: m.params, steps: 2, durationMs: 5, samplerState: {}, error: null, attrs: null,
  }));
  const steps = new Map<number, StepRecord[]>(made.map((m, n) => [n, [{ step: 1, values: { val_accuracy: m.value ?? 0.1 } }, { step: 2, values: { val_accuracy: m.value ?? 0.1 } }]]));
  return {
    study: { name: 'edge', direction, metric: 'val_accuracy', seed: 1 },
    location: ':memory:',
    space: makeSpace(specs, { strategy: 'random', trials: made.length }, { direction }),
    trials: made.map((m, n) => trial(n, { state: m.state ?? 'complete', value: m.value ?? null, params: m.params })),
    rows,
    steps,
    now: 0,
  };
}

/** Renders a compiled Vega spec headless (Vega in Node) and counts the items of each mark type. */
async function renderCounts(spec: unknown): Promise<Record<string, number>> {
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  await view.runAsync();
  const counts: Record<string, number> = {};
  const visit = (node: { marktype?: string; role?: string; items?: unknown[] }) => {
    if (node.marktype && node.role === 'mark' && node.marktype !== 'group') {
      // A line is one path through all its items; other marks draw one shape per item.
      const drawn = node.marktype === 'line' ? Math.min(1, node.items?.length ?? 0) : (node.items?.length ?? 0);
      counts[node.marktype] = (counts[node.marktype] ?? 0) + drawn;
    }
    for (const item of (node.items ?? []) as Array<{ items?: unknown[] }>) visit(item as never);
  };
  visit((view.scenegraph() as unknown as { root: never }).root);
  view.finalize();
  return counts;
}

const LR: ParamSpecs = { lr: { type: 'float', low: 1e-5, high: 1e-1, log: true } };

describe('buildPayload', () => {
  it('says why each view is empty for a study without finished trials, and compiles without a Vega-Lite warning', () => {
    const payload = buildPayload(buildReportData(input(LR, [{ state: 'failed', params: { lr: 1e-3 } }])));
    expect(Object.fromEntries(payload.views.map((v) => [v.id, v.empty]))).toEqual({
      curves: 'No trial has reported per-step metrics yet.',
      scatter: 'No complete trial has numeric values of lr yet.',
      history: 'No trial has finished with a value yet.',
      parallel: 'Needs complete trials and at least one varying param.',
      importance: 'Needs at least 4 complete trials and a varying param.',
      rounds: 'This is a random study: there are no rounds to show.',
    });
    expect(payload.views.every((v) => v.vega === null)).toBe(true);
  });

  it('draws one numeric param against the objective, on a log axis, also when minimizing, with NaN values left out', async () => {
    const made = [0.5, 0.7, Number.NaN, 0.2, 0.9].map((value, i) => ({ value, params: { lr: 10 ** -(i + 1), act: i % 2 ? 'relu' : 'tanh' } }));
    const specs: ParamSpecs = { ...LR, act: { type: 'categorical', choices: ['relu', 'tanh'] } };
    const payload = buildPayload(buildReportData(input(specs, made, 'minimize')));
    const view = (id: string) => payload.views.find((v) => v.id === id)!;
    expect(payload.data.scatter).toEqual({ x: 'lr', y: null });
    expect(await renderCounts(view('scatter').vega)).toEqual({ symbol: 4 });
    expect(await renderCounts(view('history').vega)).toEqual({ symbol: 4, line: 1 });
    // Axes lr, act and the objective; ends labelled (act: its two choices).
    expect(await renderCounts(view('parallel').vega)).toEqual({ rule: 3, line: 4, text: 6 });
    expect(await renderCounts(view('importance').vega)).toEqual({ rect: 2 });
    // The NaN trial's curve is NaN at every step: nothing to draw, so no chart for it.
    expect(await renderCounts(view('curves').vega)).toEqual({ line: 4, symbol: 0 });
  });

  it("shows a TPE trial's phase in the history and scatter tooltips, and no sampler field for random search", async () => {
    const made = [0.5, 0.7, 0.2, 0.9].map((value, i) => ({ value, params: { lr: 10 ** -(i + 1) } }));
    const random = input(LR, made);
    const tpe: ReportInput = {
      ...random,
      space: makeSpace(LR, { strategy: 'tpe', trials: 4, ...TPE_DEFAULTS }),
      rows: random.rows.map((row) => ({ ...row, samplerState: { phase: row.number < 2 ? 'startup' : 'tpe' } })),
    };
    const tooltipFields = (data: ReportData, view: 'history' | 'scatter') => {
      const spec = JSON.stringify(viewSpecs(data)[view]);
      return { sampler: spec.includes('{"field":"sampler"}'), values: (JSON.parse(spec) as { spec: { data: { values: { sampler?: string | null }[] } } }).spec.data.values };
    };
    const data = buildReportData(tpe);
    for (const view of ['history', 'scatter'] as const) {
      const { sampler, values } = tooltipFields(data, view);
      expect(sampler).toBe(true);
      expect(values.map((v) => v.sampler).sort()).toEqual(['startup', 'startup', 'tpe', 'tpe']);
      expect(tooltipFields(buildReportData(random), view).sampler).toBe(false);
    }
    // It compiles and draws as before.
    const payload = buildPayload(data);
    expect(await renderCounts(payload.views.find((v) => v.id === 'history')!.vega)).toEqual({ symbol: 4, line: 1 });
  });

  it('changes its revision with the data, not with the time it was made', () => {
    const base = input(LR, [{ value: 0.5, params: { lr: 1e-3 } }]);
    const a = buildPayload(buildReportData({ ...base, now: 1 }));
    const b = buildPayload(buildReportData({ ...base, now: 2 }));
    const c = buildPayload(buildReportData(input(LR, [{ value: 0.6, params: { lr: 1e-3 } }])));
    expect(a.revision).toBe(b.revision);
    expect(c.revision).not.toBe(a.revision);
  });

  it('escapes what users name: a study or param called </script> cannot break out of the page', () => {
    const specs: ParamSpecs = { '</script><script>alert(1)</script>': { type: 'float', low: 0, high: 1, log: false } };
    const data = buildReportData(input(specs, [{ value: 0.5, params: { '</script><script>alert(1)</script>': 0.5 } }]));
    data.study.name = '<img src=x onerror=alert(1)>';
    const html = renderPage(buildPayload(data));
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });
});
