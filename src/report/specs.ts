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
 *
 * A trial that lacks a param (a conditional one inactive in it, or one its objective never asked
 * for) crosses that param's axis at INACTIVE_POS, below the axis line, where a label says
 * "inactive". Not skipping the axis: a line from the axis before to the one after would cross it
 * at a height that reads as a value; and not breaking the line: a trial must stay traceable.
 */
export function parallelSpec(data: ReportData): ViewSpec {
  const trials = data.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  // No axis for a param none of the drawn trials has: every line would be at its "inactive" mark.
  const params = data.params.filter((p) => p.type !== 'fixed' && trials.some((t) => Object.hasOwn(t.params, p.name)));
  if (trials.length === 0 || params.length === 0) return { empty: 'Needs complete trials and at least one varying param.' };
  const metric = data.study.metric;
  // The objective's axis comes last; it is named after the metric unless a param has that name.
  const objectiveAxis = params.some((p) => p.name === metric) ? `objective: ${metric}` : metric;
  const paramAxes = params.map((p) => {
    const having = trials.filter((t) => Object.hasOwn(t.params, p.name));
    return axisScale(p.name, p, having.map((t) => t.params[p.name]), having.length < trials.length);
  });
  const objective = axisScale(objectiveAxis, null, trials.map((t) => t.value), false);
  const axes = [...paramAxes, objective];
  const lines = trials.flatMap((t) =>
    axes.flatMap((axis) => {
      const point = { number: t.number, axis: axis.name, value: t.value };
      if (axis === objective) {
        const pos = objective.position(t.value);
        return pos === null ? [] : [{ ...point, pos, inactive: false }];
      }
      if (!Object.hasOwn(t.params, axis.name)) return [{ ...point, pos: INACTIVE_POS, inactive: true }];
      const pos = axis.position(t.params[axis.name]);
      return pos === null ? [] : [{ ...point, pos, inactive: false }];
    }),
  );
  const ticks = axes.flatMap((axis) => axis.ticks.map((tick) => ({ axis: axis.name, pos: tick.pos, label: tick.label })));
  const bands = axes.filter((a) => a.inactive).map((a) => ({ axis: a.name, pos: INACTIVE_POS, label: 'inactive' }));
  const y: { type: 'quantitative'; axis: null; scale: { domain: number[] } } = {
    type: 'quantitative',
    axis: null,
    scale: { domain: [bands.length > 0 ? INACTIVE_POS - 0.1 : 0, 1] },
  };
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
      // The axis line spans the values, 0 to 1: the "inactive" mark below it is not one of them.
      datasets: { lines, ticks, bands, axes: axes.map((a) => ({ axis: a.name, top: 1, bottom: 0 })) },
      data: { name: 'lines' },
      layer: [
        {
          data: { name: 'axes' },
          mark: { type: 'rule', color: '#bbb' },
          encoding: { x, y: { ...y, field: 'top' }, y2: { field: 'bottom' } },
        },
        {
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.7 },
          encoding: {
            x,
            y: { ...y, field: 'pos' },
            detail: { field: 'number', type: 'nominal' },
            color: objectiveColor(data),
            tooltip: [{ field: 'number', title: 'trial' }, { field: 'value', title: metric, format: '.4~g' }],
          },
        },
        {
          data: { name: 'ticks' },
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 9, color: '#555' },
          encoding: { x, y: { ...y, field: 'pos' }, text: { field: 'label' } },
        },
        {
          data: { name: 'bands' },
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 9, fontStyle: 'italic', color: '#999' },
          encoding: { x, y: { ...y, field: 'pos' }, text: { field: 'label' } },
        },
      ],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Where a line crosses the axis of a param its trial lacks: below the axis's [0, 1], labelled "inactive". */
export const INACTIVE_POS = -0.15;

/** A bar per varying param: its share of the explained variance (see importance.ts). */
export function importanceSpec(data: ReportData): ViewSpec {
  if (data.importance.length === 0) return { empty: 'Needs at least 4 complete trials and a varying param.' };
  const complete = data.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value)).length;
  // A param estimated over fewer trials (a conditional one, over those it is active in) says how many.
  const values = data.importance.map((i) => ({
    param: i.param,
    label: i.trials < complete ? `${i.param} (${i.trials} of ${complete} trials)` : i.param,
    importance: i.importance,
    explained: i.explained,
    groups: i.groups,
    trials: i.trials,
  }));
  return {
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: { step: 24 },
      data: { values },
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: '-x', title: null },
        x: { field: 'importance', type: 'quantitative', title: 'importance (share of variance explained)', scale: { domain: [0, 1] } },
        tooltip: [
          { field: 'param' },
          { field: 'importance', format: '.3f' },
          { field: 'explained', title: 'ε² (variance explained alone)', format: '.3f' },
          { field: 'groups', title: 'bins' },
          { field: 'trials', title: 'trials (where active)' },
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
  /** Some drawn trial lacks the param: the axis has an "inactive" mark. */
  inactive: boolean;
}

/**
 * A parallel-coordinates axis: a param's (`param` null: the objective's, linear), over `raws`,
 * the values of the trials that have it; `inactive`: some drawn trials do not.
 */
function axisScale(name: string, param: ReportParam | null, raws: readonly unknown[], inactive: boolean): AxisScale {
  if (param?.type === 'categorical') {
    const seen = new Set(raws.map((r) => JSON.stringify(r ?? null)));
    const choices = (param.choices ?? []).filter((c) => seen.has(c));
    for (const c of seen) if (!choices.includes(c)) choices.push(c);
    const pos = (c: string) => (choices.length === 1 ? 0.5 : choices.indexOf(c) / (choices.length - 1));
    return {
      name,
      position: (raw) => (choices.includes(JSON.stringify(raw ?? null)) ? pos(JSON.stringify(raw ?? null)) : null),
      ticks: choices.map((c) => ({ pos: pos(c), label: formatParam(JSON.parse(c) as unknown) })),
      inactive,
    };
  }
  return { ...numericAxis(name, raws, param?.log ?? false), inactive };
}

function numericAxis(name: string, raws: readonly unknown[], log: boolean): Omit<AxisScale, 'inactive'> {
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
