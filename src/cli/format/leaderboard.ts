import type { Params } from '../../space/types.js';
import type { LeaderboardRow } from '../../storage/storage.js';
import { toCsv } from './csv.js';
import { finiteOrNull, formatDuration, formatNumber, formatParamValue } from './numbers.js';
import { renderTable, type Column } from './table.js';

export interface LeaderboardJsonRow {
  rank: number;
  number: number;
  state: string;
  /** null also for NaN and ±Infinity, which JSON cannot carry (the CSV output keeps them). */
  value: number | null;
  params: Params;
  steps: number;
  duration_ms: number | null;
}

export function leaderboardJson(rows: LeaderboardRow[]): LeaderboardJsonRow[] {
  return rows.map((r) => ({
    rank: r.rank,
    number: r.number,
    state: r.state,
    value: finiteOrNull(r.value),
    params: { ...r.params },
    steps: r.steps,
    duration_ms: r.durationMs,
  }));
}

export function leaderboardTable(rows: LeaderboardRow[], metric: string): string {
  const names = paramNames(rows);
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
  ];
  const cells = rows.map((r) => [
    String(r.rank),
    String(r.number),
    r.state,
    formatNumber(r.value),
    ...names.map((name) => (name in r.params ? formatParamValue(r.params[name] ?? null) : '-')),
    String(r.steps),
    formatDuration(r.durationMs),
  ]);
  return renderTable(columns, cells);
}

export function leaderboardCsv(rows: LeaderboardRow[]): string {
  const names = paramNames(rows);
  const header = ['rank', 'number', 'state', 'value', ...names, 'steps', 'duration_ms'];
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
