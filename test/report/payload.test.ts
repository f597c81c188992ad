import * as vega from 'vega';
import { describe, expect, it } from 'vitest';
import { buildReportData, type ReportData, type ReportInput } from '../../src/report/data.js';
import { buildPayload } from '../../src/report/payload.js';
import { renderPage } from '../../src/report/html/page.js';
import { INACTIVE_POS, viewSpecs } from '../../src/report/specs.js';
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

  describe('with a conditional param some trials lack', () => {
    const specs: ParamSpecs = {
      opt: { type: 'categorical', choices: ['sgd', 'momentum'] },
      momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { opt: { kind: 'in', values: ['momentum'] } } },
      lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
    };
    // Trials 1, 3, 5 use momentum (0.6, 0.75, 0.9); 0, 2, 4 do not have it at all.
    const made = [0, 1, 2, 3, 4, 5].map((i) => {
      const params: Record<string, number | string> = { opt: i % 2 === 1 ? 'momentum' : 'sgd', lr: 10 ** -(i % 4 + 1) };
      if (i % 2 === 1) params['momentum'] = 0.45 + 0.05 * i;
      return { value: 0.5 + 0.05 * i, params };
    });
    type Point = { number: number; axis: string; pos: number; inactive: boolean };
    const parallel = (data: ReportData) => {
      const view = viewSpecs(data).parallel as unknown as { spec: { datasets: { lines: Point[]; ticks: { axis: string; label: string }[]; bands: { axis: string; pos: number; label: string }[] } } };
      return view.spec.datasets;
    };

    it('draws each line through the "inactive" mark of an axis whose param its trial lacks, and through real positions elsewhere', async () => {
      const data = buildReportData(input(specs, made));
      const { lines, ticks, bands } = parallel(data);
      const momentum = lines.filter((p) => p.axis === 'momentum');
      // Every line crosses every axis, so it can be traced; the ones without momentum at its band.
      expect(momentum.map((p) => [p.number, p.inactive, Number(p.pos.toFixed(9))])).toEqual([
        [5, false, 1], [4, true, INACTIVE_POS], [3, false, 0.5], [2, true, INACTIVE_POS], [1, false, 0], [0, true, INACTIVE_POS],
      ]);
      expect(lines.filter((p) => p.axis !== 'momentum').every((p) => !p.inactive && p.pos >= 0 && p.pos <= 1)).toBe(true);
      expect(lines.every((p) => Number.isFinite(p.pos))).toBe(true);
      expect(bands).toEqual([{ axis: 'momentum', pos: INACTIVE_POS, label: 'inactive' }]);
      // The axis is labelled with momentum's real range, not a null or 0 for the trials without it.
      expect(ticks.filter((t) => t.axis === 'momentum').map((t) => t.label)).toEqual(['0.5', '0.7']);
      expect(ticks.map((t) => t.label)).not.toContain('null');

      const payload = buildPayload(data);
      const view = (id: string) => payload.views.find((v) => v.id === id)!;
      // Axes opt, momentum, lr and the objective; 8 end labels (opt: its two choices) and one band label.
      expect(await renderCounts(view('parallel').vega)).toEqual({ rule: 4, line: 6, text: 9 });
      // lr × momentum: only the trials that have momentum.
      expect(payload.data.scatter).toEqual({ x: 'lr', y: 'momentum' });
      expect(await renderCounts(view('scatter').vega)).toEqual({ symbol: 3 });
      // momentum is active in 3 trials, too few for an estimate: opt and lr only.
      expect(await renderCounts(view('importance').vega)).toEqual({ rect: 2 });
    });

    it('has no "inactive" mark when every drawn trial has every param, and no axis for a param none has', () => {
      const always = parallel(buildReportData(input(specs, made.filter((m) => Object.hasOwn(m.params, 'momentum')))));
      expect(always.bands).toEqual([]);
      expect(always.lines.every((p) => !p.inactive && p.pos >= 0)).toBe(true);
      const never = parallel(buildReportData(input(specs, made.filter((m) => !Object.hasOwn(m.params, 'momentum')))));
      expect(never.lines.some((p) => p.axis === 'momentum')).toBe(false);
      expect(never.bands).toEqual([]);
    });

    it('says over how many trials a conditional param\'s importance is estimated', () => {
      const many = Array.from({ length: 4 }, () => made).flat();
      const spec = JSON.stringify(viewSpecs(buildReportData(input(specs, many))).importance);
      const labels = (JSON.parse(spec) as { spec: { data: { values: { param: string; label: string; trials: number }[] } } }).spec.data.values;
      expect(labels.find((l) => l.param === 'momentum')).toMatchObject({ label: 'momentum (12 of 24 trials)', trials: 12 });
      expect(labels.find((l) => l.param === 'lr')).toMatchObject({ label: 'lr', trials: 24 });
    });

    it('titles the leaderboard column of a conditional or define-by-run param with where it comes from', () => {
      const withAsked = made.map((m, i) => ({ ...m, params: i < 2 ? { ...m.params, depth: i + 2 } : m.params }));
      const html = renderPage(buildPayload(buildReportData(input(specs, withAsked))));
      expect(html).toContain('<th data-key="param:momentum" title="float; active when opt = momentum, &quot;-&quot; where inactive">momentum</th>');
      expect(html).toContain('<th data-key="param:depth" title="int; asked by the objective while it ran, type inferred from the values">depth</th>');
    });
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
