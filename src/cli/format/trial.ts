import { narrowingRound } from '../../samplers/narrowing.js';
import { NO_SAMPLER_LABEL, type SamplerState, type SamplerStateLabel } from '../../samplers/sampler.js';
import { describeConditions } from '../../space/conditions.js';
import type { Params, Metrics, ParamSpecs } from '../../space/types.js';
import type { TrialAttrs, TrialDetail, TrialModelInfo } from '../../storage/storage.js';
import {
  finiteOrNull,
  formatBytes,
  formatDuration,
  formatNumber,
  formatParamValue,
  isoOrNull,
} from '../../format/numbers.js';
import { paramNames } from './leaderboard.js';
import { renderTable, type Column } from './table.js';

export interface TrialJson {
  number: number;
  state: string;
  /** NaN and ±Infinity become null here and in metrics/steps: JSON cannot carry them. */
  value: number | null;
  /** As stored: a param the trial lacks (a conditional one inactive in it) is absent, never null. */
  params: Params;
  /** Narrowing's round, kept from before sampler states had labels; null for other strategies. */
  round: number | null;
  /** The sampler's label for what it recorded (`round 2`, `startup`, `tpe`); null for grid and random. */
  sampler: string | null;
  /** What the sampler recorded with the trial, `{}` when nothing. */
  sampler_state: SamplerState;
  seed: number | null;
  owner: string | null;
  error: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  metrics: Record<string, number | null> | null;
  /** How the trial ran, e.g. { backend: "wasm" }. */
  attrs: TrialAttrs | null;
  steps: Record<string, number | null>[];
  /** The trained model it keeps (run --save-models), or null: its size, step and when it was kept. */
  model: { bytes: number; step: number | null; saved_at: string | null } | null;
}

/**
 * Key/value block, then the params, the final metrics (if any) and the reported steps.
 * `describe` is the study's sampler's label for the trial's sampler state (samplerStateLabel);
 * `specs`, the study's params (null when its space could not be read), orders the params as the
 * space does, notes each conditional param's condition and each one the objective asked for, and
 * names the params of the space the trial lacks.
 */
export function trialTable(
  t: TrialDetail,
  metric: string,
  describe: SamplerStateLabel = NO_SAMPLER_LABEL,
  specs: ParamSpecs | null = null,
  model: TrialModelInfo | null = null,
): string {
  const blocks = [
    keyValues([
      ['number', String(t.number)],
      ['state', t.state],
      ['value', t.value === null ? '-' : `${formatNumber(t.value)} (${metric})`],
      ['sampler', orDash(describe(t.samplerState))],
      ['seed', orDash(t.seed)],
      ['owner', orDash(t.owner)],
      ['started', isoOrNull(t.startedAt) ?? '-'],
      ['ended', isoOrNull(t.endedAt) ?? '-'],
      ['duration', formatDuration(durationMs(t))],
      ['error', orDash(t.error)],
      // Only a trial that keeps one: most keep none.
      ...(model === null ? [] : [['model', `${formatBytes(model.bytes)}${model.step === null ? '' : ` (step ${model.step})`}`] as [string, string]]),
      ...Object.entries(t.attrs ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ]),
  ];
  blocks.push(paramsBlock(t, specs));
  if (t.metrics && Object.keys(t.metrics).length > 0) {
    const entries = Object.entries(t.metrics).map(([k, v]): [string, string] => [k, formatNumber(v)]);
    blocks.push(`metrics\n${keyValues(entries, '  ')}`);
  }
  blocks.push(t.steps.length === 0 ? 'steps: none reported' : `steps\n${stepsTable(t)}`);
  return blocks.join('\n\n');
}

export function trialJson(t: TrialDetail, describe: SamplerStateLabel = NO_SAMPLER_LABEL, model: TrialModelInfo | null = null): TrialJson {
  return {
    number: t.number,
    state: t.state,
    value: finiteOrNull(t.value),
    params: { ...t.params },
    round: narrowingRound(t),
    sampler: describe(t.samplerState),
    sampler_state: { ...t.samplerState },
    seed: t.seed,
    owner: t.owner,
    error: t.error,
    started_at: isoOrNull(t.startedAt),
    ended_at: isoOrNull(t.endedAt),
    duration_ms: durationMs(t),
    metrics: t.metrics === null ? null : jsonMetrics(t.metrics),
    attrs: t.attrs === null ? null : { ...t.attrs },
    steps: t.steps.map((s) => {
      const row: Record<string, number | null> = { step: s.step, ...jsonMetrics(s.values) };
      row['step'] = s.step; // a metric named `step` must not hide the step number
      return row;
    }),
    model: model === null ? null : { bytes: model.bytes, step: model.step, saved_at: isoOrNull(model.savedAt) },
  };
}

/** The params the trial has, each with its condition or origin when `specs` is known; then the space's params it lacks. */
function paramsBlock(t: TrialDetail, specs: ParamSpecs | null): string {
  const names = paramNames([t], specs);
  const values = names.map((name) => formatParamValue(t.params[name]));
  const notes = names.map((name) => paramNote(name, specs));
  const width = Math.max(0, ...values.map((v) => v.length));
  const entries = names.map((name, i): [string, string] => [name, notes[i] === '' ? values[i] : `${values[i].padEnd(width)}  ${notes[i]}`]);
  const block = entries.length === 0 ? 'params: none' : `params\n${keyValues(entries, '  ')}`;
  const lacking = specs === null ? [] : Object.keys(specs).filter((name) => !Object.hasOwn(t.params, name));
  if (lacking.length === 0) return block;
  // A queued trial holds only what was enqueued: the sampler decides the rest when it runs.
  if (t.state === 'queued') return `${block}\ndrawn when it runs: ${lacking.join(', ')}`;
  const inactive = lacking.map((name) => {
    const note = paramNote(name, specs);
    return note === '' ? name : `${name} (${note})`;
  });
  return `${block}\ninactive: ${inactive.join(', ')}`;
}

/** `when optimizer in [momentum, nesterov]` for a conditional param, `asked by the objective` for one not in the space; '' otherwise. */
function paramNote(name: string, specs: ParamSpecs | null): string {
  if (specs === null) return '';
  if (!Object.hasOwn(specs, name)) return 'asked by the objective';
  const when = describeConditions(specs[name].when);
  return when === '' ? '' : `when ${when}`;
}

function stepsTable(t: TrialDetail): string {
  const names = [...new Set(t.steps.flatMap((s) => Object.keys(s.values)))];
  const columns: Column[] = [
    { header: 'step', align: 'right' },
    ...names.map((name): Column => ({ header: name, align: 'right' })),
  ];
  const rows = t.steps.map((s) => [
    String(s.step),
    ...names.map((name) => (name in s.values ? formatNumber(s.values[name] ?? null) : '-')),
  ]);
  return renderTable(columns, rows);
}

/** Keys padded to one width; continuation lines of a multi-line value are indented to match. */
function keyValues(entries: [string, string][], indent = ''): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  const hang = '\n' + indent + ' '.repeat(width + 2);
  return entries
    .map(([k, v]) => `${indent}${k.padEnd(width)}  ${v.replace(/\r?\n/g, hang)}`.trimEnd())
    .join('\n');
}

function jsonMetrics(m: Metrics): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finiteOrNull(v)]));
}

function durationMs(t: TrialDetail): number | null {
  return t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null;
}

function orDash(v: string | number | null): string {
  return v === null ? '-' : String(v);
}
