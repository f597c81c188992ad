import { narrowingRound } from '../../samplers/narrowing.js';
import { NO_SAMPLER_LABEL, type SamplerState, type SamplerStateLabel } from '../../samplers/sampler.js';
import type { Params, Metrics } from '../../space/types.js';
import type { TrialAttrs, TrialDetail } from '../../storage/storage.js';
import {
  finiteOrNull,
  formatDuration,
  formatNumber,
  formatParamValue,
  isoOrNull,
} from '../../format/numbers.js';
import { renderTable, type Column } from './table.js';

export interface TrialJson {
  number: number;
  state: string;
  /** NaN and ±Infinity become null here and in metrics/steps: JSON cannot carry them. */
  value: number | null;
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
}

/**
 * Key/value block, then the params, the final metrics (if any) and the reported steps.
 * `describe` is the study's sampler's label for the trial's sampler state (samplerStateLabel).
 */
export function trialTable(t: TrialDetail, metric: string, describe: SamplerStateLabel = NO_SAMPLER_LABEL): string {
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
      ...Object.entries(t.attrs ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ]),
  ];
  const params = Object.entries(t.params);
  blocks.push(
    params.length === 0
      ? 'params: none'
      : `params\n${keyValues(params.map(([k, v]) => [k, formatParamValue(v)]), '  ')}`,
  );
  if (t.metrics && Object.keys(t.metrics).length > 0) {
    const entries = Object.entries(t.metrics).map(([k, v]): [string, string] => [k, formatNumber(v)]);
    blocks.push(`metrics\n${keyValues(entries, '  ')}`);
  }
  blocks.push(t.steps.length === 0 ? 'steps: none reported' : `steps\n${stepsTable(t)}`);
  return blocks.join('\n\n');
}

export function trialJson(t: TrialDetail, describe: SamplerStateLabel = NO_SAMPLER_LABEL): TrialJson {
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
  };
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
