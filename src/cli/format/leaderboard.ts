import { NO_SAMPLER_LABEL, type SamplerState, type SamplerStateLabel } from '../../samplers/sampler.js';
import type { Params, ParamSpecs } from '../../space/types.js';
import type { LeaderboardRow } from '../../storage/storage.js';
import { toCsv } from './csv.js';
import { finiteOrNull, formatDuration, formatNumber, formatParamValue } from '../../format/numbers.js';
import { renderTable, type Column } from './table.js';

export interface LeaderboardJsonRow {
  rank: number;
  number: number;
  state: string;
  /** null also for NaN and ±Infinity, which JSON cannot carry (the CSV output keeps them). */
  value: number | null;
  /** The trial's params as stored: an inactive conditional param is absent (never null); a param the objective asked for while it ran is there in the trials that asked. */
  params: Params;
  steps: number;
  /** Why the trial ended before its last step (early stopping, pruning, divergence) or failed; null when it ran to the end. */
  stopped: string | null;
  duration_ms: number | null;
  /** What the sampler recorded with the trial, e.g. `{ "phase": "tpe" }`; `{}` when nothing. */
  sampler_state: SamplerState;
  /** The sampler's label for it (`round 2`, `startup`, `tpe`); null for grid and random trials. */
  sampler: string | null;
}

/** Longest reason a table cell shows; JSON and CSV carry the whole text. */
const REASON_WIDTH = 60;

/** Why a trial stopped: its early-stopping reason, or why it was pruned or failed (first line); null when it ran to the end. */
export function whyStopped(row: Pick<LeaderboardRow, 'state' | 'error' | 'attrs'>): string | null {
  if (row.state === 'complete') {
    return row.attrs?.stop_reason ?? null;
  }
  return row.error === null ? null : (row.error.split('\n')[0] ?? '');
}

function shorten(text: string, width: number): string {
  return [...text].length <= width ? text : `${[...text].slice(0, width - 1).join('')}…`;
}

export function leaderboardJson(rows: LeaderboardRow[], describe: SamplerStateLabel = NO_SAMPLER_LABEL): LeaderboardJsonRow[] {
  return rows.map((r) => ({
    rank: r.rank,
    number: r.number,
    state: r.state,
    value: finiteOrNull(r.value),
    params: { ...r.params },
    steps: r.steps,
    stopped: whyStopped(r),
    duration_ms: r.durationMs,
    sampler_state: { ...r.samplerState },
    sampler: describe(r.samplerState),
  }));
}

/**
 * The aligned table. `specs`, the study's params (null when its space could not be read), puts
 * the param columns in the space's order. A param a trial lacks (inactive, or not asked) shows
 * as `-`; a param whose value is null shows `null`.
 */
export function leaderboardTable(
  rows: LeaderboardRow[],
  metric: string,
  describe: SamplerStateLabel = NO_SAMPLER_LABEL,
  specs: ParamSpecs | null = null,
): string {
  const names = paramNames(rows, specs);
  // The column appears only when some trial stopped early, was pruned or failed.
  const stopped = rows.some((r) => whyStopped(r) !== null);
  // ...and this one when the sampler says something about some trial (narrowing's round, TPE's phase).
  const labels = samplerLabels(rows, describe);
  const columns: Column[] = [
    { header: 'rank', align: 'right' },
    { header: '#', align: 'right' },
    { header: 'state' },
    ...(labels ? [{ header: 'sampler' }] : []),
    { header: metric, align: 'right' },
    // Numbers read best right-aligned; a column with any text stays left-aligned.
    ...names.map((name): Column => ({
      header: name,
      align: rows.every((r) => !Object.hasOwn(r.params, name) || typeof r.params[name] === 'number') ? 'right' : 'left',
    })),
    { header: 'steps', align: 'right' },
    { header: 'duration', align: 'right' },
    ...(stopped ? [{ header: 'stopped' }] : []),
  ];
  const cells = rows.map((r, i) => [
    String(r.rank),
    String(r.number),
    r.state,
    ...(labels ? [labels[i] ?? '-'] : []),
    formatNumber(r.value),
    ...names.map((name) => paramCell(r.params, name)),
    String(r.steps),
    formatDuration(r.durationMs),
    ...(stopped ? [shorten(whyStopped(r) ?? '-', REASON_WIDTH)] : []),
  ]);
  return renderTable(columns, cells);
}

/**
 * CSV with a column per param, in the order of the table. A param a trial lacks is an empty
 * field; a null value is written `null`, so the two stay apart.
 */
export function leaderboardCsv(rows: LeaderboardRow[], describe: SamplerStateLabel = NO_SAMPLER_LABEL, specs: ParamSpecs | null = null): string {
  const names = paramNames(rows, specs);
  const labels = samplerLabels(rows, describe);
  const header = ['rank', 'number', 'state', ...(labels ? ['sampler'] : []), 'value', ...names, 'steps', 'stopped', 'duration_ms'];
  const records = rows.map((r, i) => [
    r.rank,
    r.number,
    r.state,
    ...(labels ? [labels[i] ?? null] : []),
    r.value,
    ...names.map((name) => {
      if (!Object.hasOwn(r.params, name)) return null;
      const v = r.params[name];
      return typeof v === 'number' || typeof v === 'string' ? v : String(v);
    }),
    r.steps,
    whyStopped(r),
    r.durationMs,
  ]);
  return toCsv(header, records);
}

/** Each row's sampler label, or null when no row has one (then the table has no sampler column). */
function samplerLabels(rows: readonly { samplerState: SamplerState }[], describe: SamplerStateLabel): (string | null)[] | null {
  const labels = rows.map((r) => describe(r.samplerState));
  return labels.some((label) => label !== null) ? labels : null;
}

/** A param's table cell: `-` when the trial lacks it, clearly not a value; otherwise the value (`null` for null). */
export function paramCell(params: Params, name: string): string {
  return Object.hasOwn(params, name) ? formatParamValue(params[name]) : '-';
}

/**
 * The union of the params the rows have: first those of `specs` (the space), in its order, then
 * the others (asked by the objective while it ran) in first-seen order. A param of the space that
 * no row has gets no column.
 */
export function paramNames(rows: readonly { params: Params }[], specs: ParamSpecs | null = null): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const name of Object.keys(r.params)) seen.add(name);
  const declared = specs === null ? [] : Object.keys(specs).filter((name) => seen.has(name));
  return [...new Set([...declared, ...seen])];
}
