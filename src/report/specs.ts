import type { TopLevelSpec } from 'vega-lite';
import type { ReportData, ReportParam } from './data.js';

/**
 * The report's charts as Vega-Lite specs, one pure function per view, each from ReportData
 * alone. A view with nothing to draw returns a sentence saying why, shown in its place.
 * Every spec carries its data inline (no URLs), so the page makes no requests.
 */
export type ViewSpec = { spec: TopLevelSpec } | { empty: string };

export interface ViewDefinition {
  id: ViewId;
  title: string;
  description: string;
}

export const VIEW_IDS = ['curves', 'scatter', 'history', 'parallel', 'importance', 'rounds'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FADED = 0.3;
const CONFIG = { view: { stroke: '#ddd' }, axis: { labelFontSize: 10, titleFontSize: 11 }, font: 'system-ui, sans-serif' } as const;

export function viewSpecs(data: ReportData): Record<ViewId, ViewSpec> {
  return {
    curves: curvesSpec(data),
    scatter: scatterSpec(data),
    history: historySpec(data),
    parallel: parallelSpec(data),
    importance: importanceSpec(data),
    rounds: roundsSpec(data),
  };
}

/** The seeds' figure: one small chart per trial, validation solid, training dashed; pruned trials faded. */
export function curvesSpec(data: ReportData): ViewSpec {
  const { validation, training, trials } = data.curves;
  const drawn = trials.filter((t) => t.points.length > 0);
  if (validation === null || drawn.length === 0) return { empty: 'No trial has reported per-step metrics yet.' };
  const values = drawn.flatMap((t, order) =>
    t.points.map((p) => ({
      order,
      label: `#${t.number}${t.state === 'pruned' ? ' (pruned)' : ''} · ${formatValue(t.value)}`,
      number: t.number,
      state: t.state,
      step: p.step,
      split: p.split,
      value: p.value,
    })),
  );
  const splits = training === null ? ['validation'] : ['validation', 'training'];
  const legendTitle = training === null ? validation : `${validation} / ${training}`;
  return {
    spec: {
      $schema: SCHEMA,
      data: { values },
      columns: 5,
      facet: { field: 'label', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null, header: { labelFontSize: 10 } },
      spec: {
        width: 150,
        height: 90,
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'value', type: 'quantitative', title: validation.replace(/^(val|validation|valid)_/, '') },
          color: { field: 'split', type: 'nominal', scale: { domain: splits, range: ['#1f77b4', '#ff7f0e'] }, title: legendTitle, legend: { symbolType: 'stroke', orient: 'bottom', titleLimit: 600 } },
          strokeDash: { field: 'split', type: 'nominal', scale: { domain: splits, range: [[1, 0], [4, 3]] }, title: legendTitle },
          opacity: { condition: { test: "datum.state === 'pruned'", value: FADED }, value: 1 },
          tooltip: [
            { field: 'number', title: 'trial' },
            { field: 'split' },
            { field: 'step' },
            { field: 'value', format: '.4~g' },
          ],
        },
        layer: [
          { mark: { type: 'line', strokeWidth: 1.5 } },
          // A pruned trial may have stopped after one step: a line of one point draws nothing.
          { transform: [{ filter: "datum.state === 'pruned'" }], mark: { type: 'point', filled: true, size: 36 } },
        ],
      },
      resolve: { axis: { x: 'independent', y: 'independent' } },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Two params on their own scales (log for log params), each complete trial coloured by the objective. */
export function scatterSpec(data: ReportData): ViewSpec {
  const axes = data.scatter;
  if (axes === null) return { empty: 'The space has no numeric params to plot.' };
  const x = paramNamed(data, axes.x);
  const y = axes.y === null ? null : paramNamed(data, axes.y);
  const values = data.trials.flatMap((t) => {
    if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) return [];
    const xv = t.params[axes.x];
    const yv = axes.y === null ? t.value : t.params[axes.y];
    if (!plottable(xv, x) || !plottable(yv, y)) return [];
    return [{ number: t.number, x: xv, y: yv, value: t.value, sampler: t.sampler }];
  });
  if (values.length === 0) return { empty: `No complete trial has numeric values of ${axes.x}${axes.y ? ` and ${axes.y}` : ''} yet.` };
  const metric = data.study.metric;
  return {
    spec: {
      $schema: SCHEMA,
      width: 520,
      height: 360,
      data: { values },
      mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: axes.x, scale: axisScaleSpec(x?.log ?? false), axis: axisFormat(x?.log ?? false) },
        y: { field: 'y', type: 'quantitative', title: axes.y ?? metric, scale: axisScaleSpec(y?.log ?? false), axis: axisFormat(y?.log ?? false) },
        color: objectiveColor(data),
        tooltip: [
          { field: 'number', title: 'trial' },
          { field: 'x', title: axes.x, format: '.3~e' },
          ...(axes.y ? [{ field: 'y', title: axes.y, format: '.3~e' }] : []),
          { field: 'value', title: metric, format: '.4~g' },
          ...samplerTooltip(data),
        ],
      },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Each finished trial's value by trial number, and the best complete value so far as a step line. */
export function historySpec(data: ReportData): ViewSpec {
  const sign = data.study.direction === 'minimize' ? 1 : -1;
  const byNumber = [...data.trials].sort((a, b) => a.number - b.number);
  let best: number | null = null;
  const values: Array<{ number: number; value: number; state: string; sampler: string | null; best: number | null }> = [];
  for (const t of byNumber) {
    if (t.value === null || !Number.isFinite(t.value) || (t.state !== 'complete' && t.state !== 'pruned')) continue;
    if (t.state === 'complete' && (best === null || sign * (t.value - best) < 0)) best = t.value;
    values.push({ number: t.number, value: t.value, state: t.state, sampler: t.sampler, best: t.state === 'complete' ? best : null });
  }
  if (values.length === 0) return { empty: 'No trial has finished with a value yet.' };
  const metric = data.study.metric;
  return {
    spec: {
      $schema: SCHEMA,
      width: 520,
      height: 280,
      data: { values },
      encoding: { x: { field: 'number', type: 'quantitative', title: 'trial' } },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
            color: { field: 'state', type: 'nominal', scale: { domain: ['complete', 'pruned'], range: ['#1f77b4', '#aaaaaa'] }, title: 'state' },
            opacity: { condition: { test: "datum.state === 'pruned'", value: 0.6 }, value: 0.9 },
            tooltip: [{ field: 'number', title: 'trial' }, { field: 'state' }, { field: 'value', title: metric, format: '.4~g' }, ...samplerTooltip(data)],
          },
        },
        {
          transform: [{ filter: 'datum.best !== null' }],
          mark: { type: 'line', interpolate: 'step-after', color: '#d62728', strokeWidth: 2 },
          encoding: { y: { field: 'best', type: 'quantitative', title: metric } },
        },
      ],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/**
 * One line per complete trial across an axis per param and one for the objective. Each axis is
 * scaled to [0, 1] over the trials drawn (log10 first for log params; categorical choices evenly
 * spaced in the space's order); the axis ends are labelled with the real values.
 */
export function parallelSpec(data: ReportData): ViewSpec {
  const params = data.params.filter((p) => p.type !== 'fixed');
  const trials = data.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  if (trials.length === 0 || params.length === 0) return { empty: 'Needs complete trials and at least one varying param.' };
  const metric = data.study.metric;
  // The objective's axis comes last; it is named after the metric unless a param has that name.
  const objectiveAxis = params.some((p) => p.name === metric) ? `objective: ${metric}` : metric;
  const axes = [
    ...params.map((p) => axisScale(p.name, p, trials.map((t) => t.params[p.name]))),
    axisScale(objectiveAxis, null, trials.map((t) => t.value)),
  ];
  const lines = trials.flatMap((t) =>
    axes.flatMap((axis, index) => {
      const raw = index === axes.length - 1 ? t.value : t.params[axis.name];
      const pos = axis.position(raw ?? null);
      return pos === null ? [] : [{ number: t.number, axis: axis.name, pos, value: t.value }];
    }),
  );
  const ticks = axes.flatMap((axis) => axis.ticks.map((tick) => ({ axis: axis.name, pos: tick.pos, label: tick.label })));
  const x = {
    field: 'axis',
    type: 'nominal',
    sort: axes.map((a) => a.name),
    title: null,
    axis: { labelAngle: 0, orient: 'bottom', domain: false, ticks: false, labelPadding: 10, labelFontWeight: 'bold' },
  } as const;
  return {
    spec: {
      $schema: SCHEMA,
      width: Math.max(320, 130 * axes.length),
      height: 300,
      datasets: { lines, ticks, axes: axes.map((a) => ({ axis: a.name })) },
      data: { name: 'lines' },
      layer: [
        {
          data: { name: 'axes' },
          mark: { type: 'rule', color: '#bbb' },
          encoding: { x, y: { value: 0 }, y2: { value: 300 } },
        },
        {
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.7 },
          encoding: {
            x,
            y: { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
            detail: { field: 'number', type: 'nominal' },
            color: objectiveColor(data),
            tooltip: [{ field: 'number', title: 'trial' }, { field: 'value', title: metric, format: '.4~g' }],
          },
        },
        {
          data: { name: 'ticks' },
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 9, color: '#555' },
          encoding: { x, y: { field: 'pos', type: 'quantitative', scale: { domain: [0, 1] }, axis: null }, text: { field: 'label' } },
        },
      ],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** A bar per varying param: its share of the explained variance (see importance.ts). */
export function importanceSpec(data: ReportData): ViewSpec {
  if (data.importance.length === 0) return { empty: 'Needs at least 4 complete trials and a varying param.' };
  const values = data.importance.map((i) => ({ param: i.param, importance: i.importance, explained: i.explained, groups: i.groups }));
  return {
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: { step: 24 },
      data: { values },
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        y: { field: 'param', type: 'nominal', sort: '-x', title: null },
        x: { field: 'importance', type: 'quantitative', title: 'importance (share of variance explained)', scale: { domain: [0, 1] } },
        tooltip: [
          { field: 'param' },
          { field: 'importance', format: '.3f' },
          { field: 'explained', title: 'ε² (variance explained alone)', format: '.3f' },
          { field: 'groups', title: 'bins' },
        ],
      },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** The trial's sampler label in a tooltip, when the study's sampler labels its trials (narrowing's round, TPE's phase). */
function samplerTooltip(data: ReportData): { field: string }[] {
  return data.trials.some((t) => t.sampler !== null) ? [{ field: 'sampler' }] : [];
}

/** Narrowing studies: per numeric param, each round's range as a bar with the round's trials on it. */
export function roundsSpec(data: ReportData): ViewSpec {
  const rounds = data.rounds;
  if (rounds === null) return { empty: `This is a ${data.study.strategy ?? 'non-narrowing'} study: there are no rounds to show.` };
  const numeric = data.params.filter((p) => rounds.some((r) => r.ranges[p.name]?.type === 'range'));
  if (numeric.length === 0) return { empty: 'No numeric param to narrow.' };
  const metric = data.study.metric;
  const charts = numeric.map((p) => {
    const ranges = rounds.flatMap((r) => {
      const range = r.ranges[p.name];
      return range?.type === 'range' ? [{ round: `round ${r.round}`, low: range.low, high: range.high }] : [];
    });
    const points = data.trials.flatMap((t) => {
      const v = t.params[p.name];
      if (t.round === null || typeof v !== 'number' || !plottable(v, p)) return [];
      return [{ round: `round ${t.round}`, x: v, number: t.number, value: t.value, state: t.state }];
    });
    const scale = axisScaleSpec(p.log);
    const y = { field: 'round', type: 'ordinal', title: null, sort: rounds.map((r) => `round ${r.round}`) } as const;
    return {
      title: { text: p.name, anchor: 'start', fontSize: 12 },
      width: 480,
      height: { step: 26 },
      layer: [
        {
          data: { values: ranges },
          mark: { type: 'bar', height: 14, color: '#c6dbef', stroke: '#6baed6' },
          encoding: {
            y,
            x: { field: 'low', type: 'quantitative', scale, title: p.name, axis: axisFormat(p.log) },
            x2: { field: 'high' },
            tooltip: [{ field: 'round' }, { field: 'low', format: '.3~e' }, { field: 'high', format: '.3~e' }],
          },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 24, opacity: 0.8 },
          encoding: {
            y,
            x: { field: 'x', type: 'quantitative', scale },
            color: objectiveColor(data),
            tooltip: [{ field: 'number', title: 'trial' }, { field: 'x', title: p.name, format: '.3~e' }, { field: 'value', title: metric, format: '.4~g' }],
          },
        },
      ],
    };
  });
  return { spec: { $schema: SCHEMA, vconcat: charts, config: CONFIG } as TopLevelSpec };
}

/** Colour by the objective, brightest for the best (viridis, reversed when minimizing). */
function objectiveColor(data: ReportData) {
  return { field: 'value', type: 'quantitative', title: data.study.metric, scale: { scheme: 'viridis', reverse: data.study.direction === 'minimize' } } as const;
}

/** A log scale for log params; else linear, not forced to include 0. */
function axisScaleSpec(log: boolean): { type: 'log' } | { type: 'linear'; zero: false } {
  return log ? { type: 'log' } : { type: 'linear', zero: false };
}

/** Log axes label the powers of ten only (1e-6, 1e-5, ...): Vega's default labels 2e-6, 5e-6 too and they collide. */
function axisFormat(log: boolean): Record<string, unknown> {
  return log ? { labelExpr: "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? format(datum.value, '.0e') : ''" } : {};
}

interface AxisScale {
  name: string;
  position(raw: unknown): number | null;
  ticks: Array<{ pos: number; label: string }>;
}

/** A parallel-coordinates axis: a param's (`param` null: the objective's, linear). */
function axisScale(name: string, param: ReportParam | null, raws: readonly unknown[]): AxisScale {
  if (param?.type === 'categorical') {
    const seen = new Set(raws.map((r) => JSON.stringify(r ?? null)));
    const choices = (param.choices ?? []).filter((c) => seen.has(c));
    for (const c of seen) if (!choices.includes(c)) choices.push(c);
    const pos = (c: string) => (choices.length === 1 ? 0.5 : choices.indexOf(c) / (choices.length - 1));
    return {
      name,
      position: (raw) => (choices.includes(JSON.stringify(raw ?? null)) ? pos(JSON.stringify(raw ?? null)) : null),
      ticks: choices.map((c) => ({ pos: pos(c), label: formatParam(JSON.parse(c) as unknown) })),
    };
  }
  return numericAxis(name, raws, param?.log ?? false);
}

function numericAxis(name: string, raws: readonly unknown[], log: boolean): AxisScale {
  const t = (v: number) => (log ? Math.log10(v) : v);
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && (!log || v > 0);
  const numbers = raws.filter(ok);
  const low = numbers.length ? Math.min(...numbers) : 0;
  const high = numbers.length ? Math.max(...numbers) : 1;
  const span = t(high) - t(low);
  const position = (raw: unknown) => (ok(raw) ? (span > 0 ? (t(raw) - t(low)) / span : 0.5) : null);
  const ticks = span > 0 ? [{ pos: 0, label: formatParam(low) }, { pos: 1, label: formatParam(high) }] : [{ pos: 0.5, label: formatParam(low) }];
  return { name, position, ticks };
}

function paramNamed(data: ReportData, name: string): ReportParam | null {
  return data.params.find((p) => p.name === name) ?? null;
}

function plottable(v: unknown, param: ReportParam | null): v is number {
  return typeof v === 'number' && Number.isFinite(v) && (!param?.log || v > 0);
}

function formatValue(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '-' : Number(v.toPrecision(3)).toString();
}

function formatParam(v: unknown): string {
  if (typeof v === 'number') return Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
  return v === null || v === undefined ? 'null' : String(v);
}
