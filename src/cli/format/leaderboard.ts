import type { Params } from '../../space/types.js';
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
  params: Params;
  steps: number;
  /** Why the trial ended before its last step (early stopping, pruning, divergence) or failed; null when it ran to the end. */
  stopped: string | null;
  duration_ms: number | null;
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

export function leaderboardJson(rows: LeaderboardRow[]): LeaderboardJsonRow[] {
  return rows.map((r) => ({
    rank: r.rank,
    number: r.number,
    state: r.state,
    value: finiteOrNull(r.value),
    params: { ...r.params },
    steps: r.steps,
    stopped: whyStopped(r),
    duration_ms: r.durationMs,
  }));
}

export function leaderboardTable(rows: LeaderboardRow[], metric: string): string {
  const names = paramNames(rows);
  // The column appears only when some trial stopped early, was pruned or failed.
  const stopped = rows.some((r) => whyStopped(r) !== null);
  const columns: Column[] = [
    { header: 'rank', align: 'right' },
    { header: '#', align: 'right' },
    { header: 'state' },
    { header: metric, align: 'right' },
    // Numbers read best right-aligned; a column with any text stays left-aligned.
    ...names.map((name): Column => ({
      header: name,
      align: rows.every((r) => typeof (r.params[name] ?? 0) === 'number') ? 'right' : 'left',
    })),
    { header: 'steps', align: 'right' },
    { header: 'duration', align: 'right' },
    ...(stopped ? [{ header: 'stopped' }] : []),
  ];
  const cells = rows.map((r) => [
    String(r.rank),
    String(r.number),
    r.state,
    formatNumber(r.value),
    ...names.map((name) => (name in r.params ? formatParamValue(r.params[name] ?? null) : '-')),
    String(r.steps),
    formatDuration(r.durationMs),
    ...(stopped ? [shorten(whyStopped(r) ?? '-', REASON_WIDTH)] : []),
  ]);
  return renderTable(columns, cells);
}

export function leaderboardCsv(rows: LeaderboardRow[]): string {
  const names = paramNames(rows);
  const header = ['rank', 'number', 'state', 'value', ...names, 'steps', 'stopped', 'duration_ms'];
  const records = rows.map((r) => [
    r.rank,
    r.number,
    r.state,
    r.value,
    ...names.map((name) => {
      const v = r.params[name];
      return v === undefined || v === null ? null : typeof v === 'boolean' ? String(v) : v;
    }),
    r.steps,
    whyStopped(r),
    r.durationMs,
  ]);
  return toCsv(header, records);
}

/** Union of param names over the rows, in first-seen order. */
export function paramNames(rows: { params: Params }[]): string[] {
  const names = new Set<string>();
  for (const r of rows) for (const name of Object.keys(r.params)) names.add(name);
  return [...names];
}
